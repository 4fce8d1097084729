using System.Net;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Scaling;

public sealed class ReadinessTests
{
    [Fact]
    public async Task A_silo_that_is_still_joining_answers_live_but_not_ready()
    {
        // Slow failure detection, so the joining silo waits on the frozen one for a while.
        await using var cluster = new SiloCluster("joining", new Dictionary<string, string?> { ["Cluster:ProbeTimeoutSeconds"] = "20" });
        var frozen = await cluster.StartSiloAsync();
        var joining = cluster.AddSilo();
        Signals.Send(frozen.ProcessId!.Value, Signals.Stop);
        try
        {
            joining.Start();
            await joining.WaitForOutputAsync("Now listening on", TimeSpan.FromSeconds(60));

            using (var live = await joining.Http.GetAsync("/health/live"))
            {
                Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            }

            using var ready = await joining.Http.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("\"silo_active\":\"unhealthy", await ready.Content.ReadAsStringAsync());
        }
        finally
        {
            Signals.Send(frozen.ProcessId!.Value, Signals.Continue);
        }

        // Once the frozen silo answers again the newcomer joins and is ready.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            using var ready = await joining.Http.GetAsync("/health/ready");
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the joining silo never became ready");
            await Task.Delay(250);
        }
    }
}
