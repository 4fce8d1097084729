using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;

namespace Assistant.IntegrationTests.Pipeline;

/// <summary>
/// A session deactivated while its reply is still being recorded: Orleans waits for it only until
/// its deactivation timeout (2 s here), and the work that finishes after that belongs to no
/// activation. It must not put the session back into the silo's registry, where the cleanup and the
/// session cap would count and wake a session that is gone.
/// </summary>
public sealed class DeactivationTests
{
    private const long Chat = 78_001;

    [Fact]
    public async Task A_deactivation_that_times_out_mid_write_leaves_no_ghost_in_the_registry()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        var settings = ModelSiloFixture.Settings(model);
        foreach (var (name, value) in TelegramSiloFixture.Settings(telegram))
        {
            settings[name] = value;
        }

        settings["Telegram:RecoverySeconds"] = "600"; // the sweep would wake the session legitimately
        var faults = new StorageFaults();
        await using var silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("ghost"), settings, services =>
        {
            faults.Install(services);
            FastIdleCollection.Install(services);
        });
        await telegram.WaitForCallsAsync("getUpdates", 1);
        var registry = silo.Services.GetRequiredService<LocalSessionRegistry>();
        var key = SessionKey.Telegram(Chat);

        // The answer is sent; recording it is held.
        var gate = faults.HoldWrites("conversation", key);
        var message = telegram.SendUserMessage(Chat, TelegramSiloFixture.Member, "hello");
        await faults.WaitForWriteAsync("conversation", key, 1, TimeSpan.FromSeconds(30));
        Assert.Contains(registry.Snapshots, s => s.SessionId == key);

        // Deactivated now: Orleans gives up waiting after 2 s and the session leaves the registry.
        await silo.Grains.GetGrain<IChatSessionGrain>(key).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Eventually.WaitAsync(() => Task.FromResult(registry.Snapshots.All(s => s.SessionId != key)), "the session to leave the registry", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));

        // The write goes through; the turn that made it ends (its reply is no longer counted as running).
        gate.SetResult();
        await Eventually.WaitAsync(() => Task.FromResult(registry.ActiveReplies == 0), "the held turn to end", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));

        Assert.DoesNotContain(registry.Snapshots, s => s.SessionId == key);
        Assert.Single(telegram.RepliesTo(Chat, message));
    }
}
