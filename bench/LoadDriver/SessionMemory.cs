using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Assistant.Fakes.OpenAi;

namespace Assistant.LoadDriver;

/// <summary>
/// Memory per active session with a full context. Sessions are filled through the HTTP API, 50
/// exchanges each (a 100-character question, a 300-character answer: 100 messages, the default
/// window). After a warm-up on sessions that are not counted, the silo's RSS is read after a full
/// garbage collection (so garbage left by the filling does not count), and its growth is divided by
/// the number of sessions added.
/// </summary>
/// <remarks>
/// The silo is configured as one meant to hold this many sessions: a session capacity above the
/// largest count, and memory thresholds under the default restart limit (Restart:MemoryLimitMb,
/// 1,000 MB), which is the limit the sessions must stay within; the monitor's own emergency
/// cleanup would show, and be counted, if they did not.
/// </remarks>
internal static class SessionMemory
{
    public const int QuestionChars = 100;
    public const int AnswerChars = 300;
    private const int ExchangesPerSession = 50;
    private const int MemoryLimitMb = 1000;

    /// <param name="hold">How long to keep the service up after each measurement, for a profiler (<c>dotnet-gcdump collect -p PID</c>).</param>
    public static async Task RunAsync(Report report, IReadOnlyList<int> sessionCounts, int warmSessions, TimeSpan hold)
    {
        Console.WriteLine("Memory per session ...");
        await using var model = await FakeOpenAiServer.StartAsync();
        var answer = new string('a', AnswerChars - 1) + ".";
        model.Responder = _ => new FakeResponse.Text(answer, ChunkSize: 64);
        var directory = ServiceSettings.NewDirectory("memory");
        var settings = ServiceSettings.Embedded(directory, model);
        settings["Monitoring:SessionCapacity"] = ((warmSessions + sessionCounts.Max()) * 5 / 4).ToString(CultureInfo.InvariantCulture);
        settings["Monitoring:MemoryLimitMb"] = MemoryLimitMb.ToString(CultureInfo.InvariantCulture);
        settings["Monitoring:MemoryWarningMb"] = "850";
        settings["Monitoring:MemoryCriticalMb"] = "950";
        settings["Monitoring:EmergencyMemoryMb"] = "900";
        settings["Monitoring:EmergencyExitMemoryMb"] = "850";
        await using var service = new ServiceProcess(directory, settings);
        await service.StartUntilHealthyAsync();

        // Warm-up: the same work on sessions that are not counted, so code and caches are in place.
        await FillAsync(service.Http, Ids(0, warmSessions, "warm"), ExchangesPerSession);
        var (baseline, baselineHeap) = await MeasureAsync(service);
        report.Add(new Figure("Memory per session", "baseline RSS", Mb(baseline), "MB", Note: $"after {warmSessions} warm-up sessions and a full GC"));
        await HoldAsync(service, hold);

        var filled = 0;
        foreach (var count in sessionCounts)
        {
            var started = Stopwatch.GetTimestamp();
            await FillAsync(service.Http, Ids(filled, count, "user"), ExchangesPerSession);
            filled = count;
            var took = Stopwatch.GetElapsedTime(started);
            var (rss, heap) = await MeasureAsync(service);
            var status = await service.Http.GetFromJsonAsync<JsonElement>("/resources/status");
            var emergency = status.GetProperty("emergency");
            var sessions = await service.Http.GetFromJsonAsync<JsonElement>("/sessions/report");
            var active = sessions.GetProperty("active_sessions").GetInt32() - warmSessions;
            var scenario = $"Memory per session, {count:N0} sessions";
            report.AtMost(scenario, "RSS growth per session", (rss - baseline) / (double)count / 1024, "KB", 64,
                $"after a full GC; RSS {Mb(rss):0} MB, {active:N0} active, filled in {took.TotalSeconds:0} s");
            report.Add(new Figure(scenario, "managed heap growth per session", (heap - baselineHeap) / count / 1024, "KB", Note: "live objects after the full GC"));
            report.AtMost(scenario, "RSS", Mb(rss), "MB", MemoryLimitMb, "Restart:MemoryLimitMb");
            report.Add(new Figure(scenario, "emergency cleanups", emergency.GetProperty("emergency_cleanups").GetInt64(), "", "0", emergency.GetProperty("emergency_cleanups").GetInt64() == 0,
                emergency.GetProperty("emergency_mode").GetBoolean() ? "in emergency mode" : "not in emergency mode"));
            await HoldAsync(service, hold);
        }
    }

    /// <returns>The silo's RSS and managed heap size, in bytes, after a full collection.</returns>
    private static async Task<(long Rss, double Heap)> MeasureAsync(ServiceProcess service)
    {
        await service.CollectGarbageAsync();
        double heap = 0;
        foreach (var generation in new[] { "gen0", "gen1", "gen2", "loh", "poh" })
        {
            heap += await service.MetricAsync($"dotnet_gc_last_collection_heap_size_bytes{{otel_scope_name=\"System.Runtime\",gc_heap_generation=\"{generation}\"}}");
        }

        return (service.ResidentBytes(), heap);
    }

    private static List<string> Ids(int from, int to, string prefix) =>
        [.. Enumerable.Range(from, to - from).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}-{i}"))];

    private static double Mb(long bytes) => bytes / 1024.0 / 1024.0;

    private static async Task HoldAsync(ServiceProcess service, TimeSpan hold)
    {
        if (hold > TimeSpan.Zero)
        {
            Console.WriteLine($"  holding the silo (pid {service.ProcessId}) for {hold.TotalSeconds:0} s");
            await Task.Delay(hold);
        }
    }

    /// <summary>Gives every session <paramref name="exchanges"/> exchanges, round by round, 64 requests at a time.</summary>
    private static async Task FillAsync(HttpClient http, IReadOnlyList<string> sessions, int exchanges)
    {
        var question = new string('q', QuestionChars - 1) + "?";
        for (var round = 0; round < exchanges; round++)
        {
            await Parallel.ForEachAsync(sessions, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (session, cancellationToken) =>
            {
                using var response = await http.PostAsJsonAsync($"/sessions/{session}/messages", new { text = question }, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"{session}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
                }
            });
        }
    }
}
