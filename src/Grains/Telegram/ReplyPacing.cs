using Assistant.Metrics;
using Assistant.Monitoring;
using Assistant.Streaming;
using Microsoft.Extensions.DependencyInjection;

namespace Assistant.Telegram;

/// <summary>The streaming cadence of Telegram replies with what it depends on: group chats, a recent 429, high CPU.</summary>
public sealed class ReplyPacing(StreamingCadence cadence, FloodGate gate, PressureState pressure, AssistantMetrics metrics, [FromKeyedServices(Clock.Key)] TimeProvider time)
{
    internal ReplyPace For(TelegramTarget target) =>
        new(cadence, metrics, () => new CadenceConditions(target.Group, gate.RecentlyRateLimited(target.ChatId, time.GetUtcNow()), pressure.Throttling));
}

/// <summary>
/// One reply's pace: when to show the first part and the next update, counted as it goes (the
/// interval chosen, the reasons it widened, the edits per reply; see <see cref="AssistantMetrics"/>).
/// </summary>
internal sealed class ReplyPace(StreamingCadence cadence, AssistantMetrics metrics, Func<CadenceConditions> conditionsNow)
{
    private int _edits;

    public bool ShouldPushFirst(TimeSpan sinceStart, int length) => cadence.ShouldPushFirst(sinceStart, length);

    public bool ShouldPush(TimeSpan sinceLastPush, int newChars, int length)
    {
        var conditions = conditionsNow();
        if (!cadence.ShouldPush(sinceLastPush, newChars, length, conditions))
        {
            return false;
        }

        metrics.StreamedUpdate(cadence.IntervalFor(length, conditions), conditions);
        return true;
    }

    public void Edited() => _edits++;

    public void Finished() => metrics.ReplyStreamed(_edits);
}
