using Assistant.LoadDriver;

// dotnet run -c Release --project bench/LoadDriver -- [--quick] [--only a,b] [--chats 1,10,...] [--sessions 1000,...] [--hold SECONDS] [--synchronous Full|Normal] [--env NAME=VALUE,...] [--target URL] [--out FILE]
//   scenarios: start (cold start, idle RSS), telegram (round trip, beside the floor: a minimal bot, and one that stores each update), media (photo, voice, document round trips),
//   http (exchanges/s, /health rps),
//   memory (per session at 1,000 and 10,000), failover (chaos set-up).
if (args.Contains("--floor-bot"))
{
    return await FloorProcess.RunChildAsync(args); // the floor, started by this driver in a process of its own
}

var arguments = args;
var quick = args.Contains("--quick");
var only = Value("--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
var target = Value("--target") is { } url ? new Uri(url) : null;
var output = Value("--out") ?? Path.Combine("bench", "results", $"load-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
var known = new[] { "start", "telegram", "media", "http", "memory", "failover" };
if (only?.Except(known).ToList() is { Count: > 0 } unknown)
{
    Console.Error.WriteLine($"Unknown scenario(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", known)}.");
    return 2;
}

if (target is not null && only?.SetEquals(["http"]) != true)
{
    Console.Error.WriteLine("--target measures a running service over HTTP only: add --only http.");
    return 2;
}

ServiceSettings.SqliteSynchronous = Value("--synchronous") ?? ServiceSettings.SqliteSynchronous;
if (ServiceSettings.SqliteSynchronous is not ("Full" or "Normal"))
{
    Console.Error.WriteLine("--synchronous is Full (the service's default) or Normal.");
    return 2;
}

foreach (var pair in Value("--env")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [])
{
    var (name, value) = (pair.Split('=', 2)[0], pair.Split('=', 2).ElementAtOrDefault(1) ?? "");
    ServiceSettings.Environment[name] = value;
}

bool Runs(string scenario) => only is null || only.Contains(scenario);

if (!File.Exists(ServiceProcess.SiloDll))
{
    Console.Error.WriteLine($"The silo is not built at {ServiceProcess.SiloDll}.");
    return 1;
}

Console.WriteLine($"Load driver on {Environment.ProcessorCount} CPUs ({Report.CpuModel()}), silo {ServiceProcess.SiloDll}{(quick ? ", quick run" : "")}");
var report = new Report();
if (Runs("start"))
{
    await StartAndIdle.RunAsync(report, quick);
}

if (Runs("telegram"))
{
    var chats = Value("--chats")?.Split(',').Select(int.Parse).ToList() ?? (quick ? [1, 10, 100] : [1, 10, 100, 1000]);
    await TelegramRoundTrip.RunAsync(report, chats, quick);
    await TelegramRoundTrip.RunWithDefaultsAsync(report);
}

if (Runs("media"))
{
    await MediaRoundTrip.RunAsync(report, quick);
}

if (Runs("http"))
{
    await HttpThroughput.RunAsync(report, target, quick);
}

if (Runs("memory"))
{
    var sessions = Value("--sessions")?.Split(',').Select(int.Parse).ToList() ?? (quick ? [200] : [1000, 10_000]);
    await SessionMemory.RunAsync(report, sessions, warmSessions: quick ? 50 : 200, TimeSpan.FromSeconds(double.Parse(Value("--hold") ?? "0", System.Globalization.CultureInfo.InvariantCulture)));
}

if (Runs("failover"))
{
    await Failover.RunAsync(report, quick ? 1 : 3);
}

Console.WriteLine();
Console.WriteLine(report.Markdown());
await report.WriteJsonAsync(output, arguments);
Console.WriteLine($"Figures written to {output}");
return 0;

string? Value(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
