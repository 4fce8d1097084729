using System.Net;
using System.Text.Json;
using Assistant.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Assistant.IntegrationTests.Foundation;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_is_200_with_the_documented_body_and_503_with_a_reason_once_the_database_is_gone_and_its_answer_is_reused_for_a_second()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var directory = TestPaths.NewTempDirectory("health");
        await using var silo = await InProcessSilo.StartAsync(directory, overrideServices: s => s.AddKeyedSingleton<TimeProvider>(Assistant.Clock.Key, clock));

        using (var healthy = await silo.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
            Assert.Equal("""{"status":"healthy","telegram":"disabled"}""", await healthy.Content.ReadAsStringAsync());
        }

        // The file vanishing (a wiped or unmounted disk) must show, although pooled connections keep the old file open;
        // within Health:CacheSeconds (1 s) probes get the answer already found.
        var file = Path.Combine(directory, "data", "system.db");
        File.Move(file, file + ".away");
        using (var cached = await silo.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        using (var unhealthy = await silo.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
            using var body = JsonDocument.Parse(await unhealthy.Content.ReadAsStringAsync());
            Assert.Equal("unhealthy", body.RootElement.GetProperty("status").GetString());
            Assert.Equal("disabled", body.RootElement.GetProperty("telegram").GetString());
            Assert.StartsWith("database: ", body.RootElement.GetProperty("reason").GetString());
        }

        File.Move(file + ".away", file);
        clock.Advance(TimeSpan.FromSeconds(1));
        using var recovered = await silo.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task When_the_grain_call_hangs_health_answers_503_naming_it_once_Health_TimeoutSeconds_has_passed_and_200_again_after()
    {
        var ping = new HeldPing();
        await using var silo = await InProcessSilo.StartAsync(
            TestPaths.NewTempDirectory("health-hang"),
            new Dictionary<string, string?> { ["Health:TimeoutSeconds"] = "1", ["Health:CacheSeconds"] = "0" },
            s => s.AddSingleton<IIncomingGrainCallFilter>(ping));

        ping.Hold();
        using (var stuck = await silo.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, stuck.StatusCode);
            using var body = JsonDocument.Parse(await stuck.Content.ReadAsStringAsync());
            Assert.Equal("unhealthy", body.RootElement.GetProperty("status").GetString());
            Assert.StartsWith("grain_call: ", body.RootElement.GetProperty("reason").GetString());
            Assert.True(ping.Held >= 1, "the probe's grain call was held");
        }

        ping.Release();
        using var recovered = await silo.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    /// <summary>Holds the health check's grain call (a silo too busy to schedule it) while <see cref="Hold"/> is on.</summary>
    private sealed class HeldPing : IIncomingGrainCallFilter
    {
        private TaskCompletionSource? _gate;
        private int _held;

        public int Held => Volatile.Read(ref _held);

        public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => Interlocked.Exchange(ref _gate, null)?.TrySetResult();

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.DeclaringType == typeof(Assistant.Health.IPingGrain) && _gate is { } gate)
            {
                Interlocked.Increment(ref _held);
                await gate.Task;
            }

            await context.Invoke();
        }
    }
}
