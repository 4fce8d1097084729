using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>Grain state in the SQLite file survives the real executable being stopped or killed.</summary>
public sealed class RestartTests
{
    [Theory]
    [InlineData(Signals.Term)]
    [InlineData(Signals.Kill)]
    public async Task A_conversation_survives_a_process_restart(int signal)
    {
        var directory = TestPaths.NewTempDirectory("restart");
        var session = $"restart-{signal}";
        await using var silo = new SiloProcess(directory);
        await silo.StartAndWaitHealthyAsync();

        // No model configured: the offline provider answers, honestly.
        var reply = await silo.Http.SendAsync(session, "remember me");
        Assert.Contains("No AI model is configured", reply.GetProperty("reply").GetString());
        await SessionClient.WaitUntilSettledAsync(silo.Http, session);
        var usage = System.Text.Json.JsonDocument.Parse(await silo.Http.GetStringAsync($"/usage?spender=api:{session}&top=10")).RootElement;
        Assert.Equal(0, usage.GetProperty("spender").GetProperty("today").GetProperty("calls").GetInt32()); // no model was asked: nothing is counted
        Assert.True(!usage.TryGetProperty("top", out var top) || top.ValueKind == System.Text.Json.JsonValueKind.Null, "the top spenders (Telegram user ids) are for the admin key only"); // no key here: local callers only, and still none

        if (signal == Signals.Term)
        {
            Assert.Equal(0, await silo.StopAsync());
        }
        else
        {
            await silo.KillAsync();
        }

        await silo.StartAndWaitHealthyAsync();
        var restored = await silo.Http.GetSessionAsync(session);
        Assert.Equal(["remember me", reply.GetProperty("reply").GetString()!], SessionClient.Texts(restored));
        Assert.Equal(1, restored.GetProperty("statistics").GetProperty("replies").GetInt64());
    }
}
