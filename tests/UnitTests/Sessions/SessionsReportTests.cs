using Assistant.Sessions;

namespace Assistant.UnitTests.Sessions;

public sealed class SessionsReportTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Silo_reports_merge_into_cluster_totals()
    {
        var first = new LocalSessionRegistry();
        first.Publish(Snapshot("a", bytes: 10_000, replies: 3, recent: [100, 200, 300], errors: new() { ["timeout"] = 1 }, tools: new() { ["current_time"] = 2 }, age: TimeSpan.FromSeconds(30)));
        first.Publish(Snapshot("b", bytes: 30_000, replies: 1, recent: [50], errors: [], tools: [], age: TimeSpan.FromMinutes(10)));
        var second = new LocalSessionRegistry();
        second.Publish(Snapshot("c", bytes: 20_000, replies: 4, recent: [400], errors: new() { ["timeout"] = 1, ["rate_limited"] = 2 }, tools: new() { ["current_time"] = 1, ["service_health"] = 1 }, age: TimeSpan.FromDays(2)));

        var report = SessionsReport.Merge([first.Report("s1", 2, Now), second.Report("s2", 2, Now)], largest: 2);

        Assert.Equal(3, report.ActiveSessions);
        Assert.Equal(["s1", "s2"], report.Silos.Select(s => s.Silo));
        Assert.Equal(60_000, report.Memory.EstimatedBytes);
        Assert.Equal(20_000, report.Memory.AveragePerSessionBytes);
        Assert.Equal(["b", "c"], report.Memory.Largest.Select(s => s.SessionId));
        Assert.Equal(5, report.ResponseTimeMs.Samples);
        Assert.Equal(400, report.ResponseTimeMs.P95); // rank 5 of 5; exact below one second
        Assert.Equal(3, report.ToolCalls["current_time"]);
        Assert.Equal(8, report.MessagesByKind["text"]);
        Assert.Equal(2, report.MessagesByKind["photo"]);
        Assert.Equal(0, report.MessagesByKind["voice"]); // every kind is listed, counted or not
        Assert.Equal(4, report.Errors.Total);
        Assert.Equal(2, report.Errors.ByType["rate_limited"]);
        Assert.Equal(4.0 / 12, report.Errors.Rate, 3);
        Assert.Equal(1, report.SessionDuration["under_1m"]);
        Assert.Equal(1, report.SessionDuration["5m_to_15m"]);
        Assert.Equal(1, report.SessionDuration["over_24h"]);
    }

    private static SessionSnapshot Snapshot(string id, long bytes, long replies, long[] recent, Dictionary<string, long> errors, Dictionary<string, long> tools, TimeSpan age) =>
        new(id, 10, bytes, Now - age, Now, replies, recent, errors, tools, new Dictionary<string, long> { ["text"] = replies, ["photo"] = id == "c" ? 2 : 0 });
}
