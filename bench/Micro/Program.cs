using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Micro -- --filter '*'   (all; BenchmarkDotNet's own options follow)
BenchmarkSwitcher.FromAssembly(typeof(Assistant.Benchmarks.Conversations).Assembly).Run(args);
