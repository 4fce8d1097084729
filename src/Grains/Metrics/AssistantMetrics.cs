using System.Diagnostics.Metrics;
using Assistant.Monitoring;
using Assistant.Sessions;

namespace Assistant.Metrics;

/// <summary>
/// The service's own instruments (meter <c>Assistant</c>), exported at <c>/metrics</c> by Prometheus
/// naming: dots become underscores, counters gain <c>_total</c>, units become suffixes. Labels never
/// carry chat or user ids, so the number of series stays fixed however many people write.
/// The model's request duration comes from Microsoft.Extensions.AI's own OpenTelemetry meter.
/// Answered and given-up messages also go to the silo's <see cref="ReplyWindow"/>, which the monitor samples.
/// </summary>
public sealed class AssistantMetrics
{
    public const string MeterName = "Assistant";

    private readonly Counter<long> _telegramCalls;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _alerts;
    private readonly Counter<long> _emergencyCleanups;
    private readonly Counter<long> _contextPrunes;
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _authRateLimited;
    private readonly Counter<long> _messages;
    private readonly Histogram<double> _replyDuration;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _received;
    private readonly Counter<long> _toolCalls;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _sessionsRefused;
    private readonly Histogram<double> _streamingInterval;
    private readonly Histogram<int> _streamingEdits;
    private readonly Counter<long> _streamingWidened;
    private readonly ReplyWindow? _window;

    public AssistantMetrics(
        IMeterFactory meters,
        LocalSessionRegistry sessions,
        PressureState pressure,
        ReplyWindow? window = null,
        Telegram.TelegramCounters? telegram = null,
        Telegram.TelegramLink? link = null,
        [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Clock.Key)] TimeProvider? time = null,
        Microsoft.Extensions.Options.IOptions<Telegram.TelegramOptions>? telegramOptions = null,
        Storage.GroupCommit? commits = null)
    {
        time ??= TimeProvider.System;
        _window = window;
        var meter = meters.Create(MeterName);
        _telegramCalls = meter.CreateCounter<long>("assistant.telegram.api.calls", "{call}", "Bot API calls made by this silo, by method and outcome.");
        _rateLimited = meter.CreateCounter<long>("assistant.rate_limited", "{response}", "429 Too Many Requests answers received, by upstream (telegram, model).");
        _alerts = meter.CreateCounter<long>("assistant.alerts", "{alert}", "Alerts the ResourceMonitor raised, by severity.");
        _emergencyCleanups = meter.CreateCounter<long>("assistant.emergency_cleanups", "{cleanup}", "Emergency cleanups the ResourceMonitor ran.");
        _contextPrunes = meter.CreateCounter<long>("assistant.context.prunes", "{prune}", "Context windows pruned, by trigger (window: over the message or token limit; forced: optimisation or cleanup).");
        _authFailures = meter.CreateCounter<long>("assistant.auth.failures", "{request}", "Requests with a wrong admin key.");
        _authRateLimited = meter.CreateCounter<long>("assistant.auth.rate_limited", "{request}", "Requests answered 429 because their address sent too many wrong admin keys (Api:FailedAuthPerMinute).");
        _messages = meter.CreateCounter<long>("assistant.messages", "{message}", "Messages answered, by channel (telegram, api) and kind (text, photo, voice, document, other).");
        _replyDuration = meter.CreateHistogram(
            "assistant.reply.duration",
            "s",
            "From accepting a message to its answer being delivered and recorded, by channel and kind (media includes the download and transcription).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120] });
        _errors = meter.CreateCounter<long>("assistant.errors", "{error}", "Messages not answered as asked, by type: the model's failures (rate_limited, timeout, ...), download_failed, transcription_failed, dead_letter.");
        _received = meter.CreateCounter<long>("assistant.messages.received", "{message}", "Messages accepted for an answer, by channel (telegram, api).");
        _toolCalls = meter.CreateCounter<long>("assistant.tool.calls", "{call}", "Tool calls the model made, by tool.");
        _fallbacks = meter.CreateCounter<long>("assistant.model.fallbacks", "{turn}", "Turns answered by a fallback model (AI:FallbackModels) after the chat's failed, by model and fallback.");
        _sessionsRefused = meter.CreateCounter<long>("assistant.sessions.refused", "{message}", "Messages that would have started a session past Sessions:MaxActive, turned away politely, by channel (telegram, api).");
        _streamingInterval = meter.CreateHistogram(
            "assistant.streaming.interval",
            "s",
            "The edit interval the streaming cadence allowed at each update of a Telegram reply (Streaming:*), widened by the reasons in assistant.streaming.widened.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24] });
        _streamingEdits = meter.CreateHistogram(
            "assistant.streaming.edits",
            "{edit}",
            "Edits per Telegram reply: its streamed updates and the final text's edits (0: sent whole within Streaming:FirstPushMs).",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 1, 2, 3, 5, 8, 13, 21, 34] });
        _streamingWidened = meter.CreateCounter<long>("assistant.streaming.widened", "{update}", "Streamed updates of a Telegram reply whose interval was widened, by reason (group, rate_limited, cpu).");
        meter.CreateObservableGauge("assistant.emergency.mode", () => pressure.Emergency ? 1 : 0, "{state}", "1 while the ResourceMonitor is in emergency mode (as last pushed to this silo).");
        meter.CreateObservableGauge("assistant.throttling", () => pressure.Throttling ? 1 : 0, "{state}", "1 while CPU throttling is on (as last pushed to this silo).");
        meter.CreateObservableGauge("assistant.process.start_time", () => StartedAt.ToUnixTimeMilliseconds() / 1000.0, "s", "When this silo's process started (Unix time): a restart shows as a change.");
        if (telegram is not null)
        {
            meter.CreateObservableCounter("assistant.telegram.dead_letters", () => telegram.DeadLetters, "{message}", "Telegram messages given up on this silo after every attempt failed (see /telegram/dead-letters).");
        }

        if (telegramOptions is not null)
        {
            meter.CreateObservableGauge("assistant.telegram.enabled", () => telegramOptions.Value.Enabled ? 1 : 0, "{state}", "1 when Telegram:BotToken is set: the service should have a Telegram channel running somewhere.");
        }

        if (link is not null)
        {
            meter.CreateObservableGauge("assistant.telegram.connected", () => TelegramConnected(link), "{state}", "1 while the Telegram channel is connected, 0 while it is not; only the silo hosting the channel reports it.");
            meter.CreateObservableGauge("assistant.telegram.last_poll_age", () => LastPollAge(link, time), "s", "Seconds since the last getUpdates completed (polling mode; only the silo hosting the channel reports it).");
        }

        if (commits is not null)
        {
            meter.CreateObservableCounter("assistant.storage.commits", () => commits.Counts.Commits, "{commit}", "Transactions this silo's group commit made for grain state and the session directory's rows.");
            meter.CreateObservableCounter("assistant.storage.writes", () => commits.Counts.Writes, "{write}", "Writes those transactions carried: writes per commit is the grouping achieved.");
        }

        meter.CreateObservableGauge("assistant.sessions.active", () => sessions.Count, "{session}", "Chat sessions active (in memory) on this silo.");
        meter.CreateObservableGauge("assistant.replies.in_progress", RepliesInProgress, "{reply}", "Replies being written on this silo now, by channel (telegram, api).");
        meter.CreateObservableGauge("assistant.health.score_ratio", HealthScore, "1", "The cluster's health score (0-1) from the ResourceMonitor's last health cycle.");

        // Counters show from the first scrape, at zero, so rate() and alert rules have a series to work on.
        foreach (var severity in Enum.GetValues<AlertSeverity>())
        {
            _alerts.Add(0, SeverityTag(severity));
        }

        foreach (var upstream in new[] { UpstreamMeter.Telegram, UpstreamMeter.Model })
        {
            _rateLimited.Add(0, new KeyValuePair<string, object?>("upstream", upstream));
        }

        foreach (var channel in new[] { MessageKind.Telegram, MessageKind.Api })
        {
            _received.Add(0, Tag("channel", channel));
            _sessionsRefused.Add(0, Tag("channel", channel));
        }

        foreach (var type in new[]
        {
            Models.ModelFailure.RateLimited, Models.ModelFailure.ServerError, Models.ModelFailure.Timeout, Models.ModelFailure.InvalidResponse,
            Models.ModelFailure.ConnectionFailed, Models.ModelFailure.Unauthorized, Models.ModelFailure.Rejected, Models.ModelFailure.Unknown,
            Telegram.Media.MediaInput.DownloadFailed, Telegram.Media.MediaInput.TranscriptionFailed, Telegram.DeadLetters.ErrorType,
        })
        {
            _errors.Add(0, Tag("type", type));
        }

        foreach (var tool in Models.BuiltInTools.Names.Append(OtherTool))
        {
            _toolCalls.Add(0, Tag("tool", tool));
        }

        foreach (var reason in WidenedReasons)
        {
            _streamingWidened.Add(0, Tag("reason", reason));
        }

        _contextPrunes.Add(0, new KeyValuePair<string, object?>("trigger", "window"));
        _contextPrunes.Add(0, new KeyValuePair<string, object?>("trigger", "forced"));
        _emergencyCleanups.Add(0);
        _authFailures.Add(0);
        _authRateLimited.Add(0);
        foreach (var channel in new[] { MessageKind.Telegram, MessageKind.Api })
        {
            foreach (var kind in MessageKind.All)
            {
                _messages.Add(0, Tag("channel", channel), Tag("kind", kind));
            }
        }

        IEnumerable<Measurement<int>> RepliesInProgress()
        {
            var (telegram, api) = sessions.ActiveRepliesByChannel();
            return [new(telegram, new KeyValuePair<string, object?>("channel", "telegram")), new(api, new KeyValuePair<string, object?>("channel", "api"))];
        }

        IEnumerable<Measurement<double>> HealthScore() =>
            pressure.HealthScore is { } score ? [new Measurement<double>(score / 100.0)] : [];
    }

    private static readonly DateTimeOffset StartedAt = new(System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime());

    private static IEnumerable<Measurement<int>> TelegramConnected(Telegram.TelegramLink link) =>
        link.Seen is { } seen ? [new Measurement<int>(seen.State == Telegram.TelegramState.Connected ? 1 : 0)] : [];

    private static IEnumerable<Measurement<double>> LastPollAge(Telegram.TelegramLink link, TimeProvider time) =>
        link.Seen is { Polling: true } seen ? [new Measurement<double>(Math.Round((time.GetUtcNow() - seen.LastPollAt).TotalSeconds, 1))] : [];

    /// <summary>A message accepted for an answer (stored, for Telegram).</summary>
    public void MessageReceived(string channel) => _received.Add(1, Tag("channel", channel));

    private static readonly string[] WidenedReasons = ["group", "rate_limited", "cpu"];

    /// <summary>A streamed update of a Telegram reply, at the interval the cadence chose under <paramref name="conditions"/>.</summary>
    public void StreamedUpdate(TimeSpan interval, Streaming.CadenceConditions conditions)
    {
        _streamingInterval.Record(interval.TotalSeconds);
        bool[] widened = [conditions.GroupChat, conditions.RecentlyRateLimited, conditions.HighCpu];
        for (var i = 0; i < widened.Length; i++)
        {
            if (widened[i])
            {
                _streamingWidened.Add(1, Tag("reason", WidenedReasons[i]));
            }
        }
    }

    /// <summary>A Telegram reply delivered, with the edits it took.</summary>
    public void ReplyStreamed(int edits) => _streamingEdits.Record(edits);

    /// <summary>A message turned away because it would have started a session past the cap.</summary>
    public void SessionRefused(string channel) => _sessionsRefused.Add(1, Tag("channel", channel));

    /// <summary>A tool call by the model: one of ours by name, anything else (a name the model made up) as <c>other</c>, so the series stay fixed.</summary>
    public void ToolCalled(string tool) =>
        _toolCalls.Add(1, Tag("tool", Models.BuiltInTools.Names.Contains(tool) || Memory.UserNotes.Names.Contains(tool) ? tool : OtherTool));

    private const string OtherTool = "other";

    public void TelegramCall(string method, string outcome) =>
        _telegramCalls.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("outcome", outcome));

    public void RateLimited(string upstream) => _rateLimited.Add(1, new KeyValuePair<string, object?>("upstream", upstream));

    public void Alert(AlertSeverity severity) => _alerts.Add(1, SeverityTag(severity));

    public void EmergencyCleanup() => _emergencyCleanups.Add(1);

    public void AuthFailure() => _authFailures.Add(1);

    public void AuthRateLimited() => _authRateLimited.Add(1);

    /// <summary>
    /// One message answered (or refused with a reply), <paramref name="elapsedMs"/> after it was
    /// accepted; <paramref name="error"/> counts unless it is the user's own cancellation.
    /// </summary>
    public void MessageAnswered(string channel, string kind, long elapsedMs, string? error)
    {
        _messages.Add(1, Tag("channel", channel), Tag("kind", kind));
        _replyDuration.Record(elapsedMs / 1000.0, Tag("channel", channel), Tag("kind", kind));
        _window?.Answered(kind, elapsedMs, error);
        if (Models.ModelFailure.IsError(error))
        {
            _errors.Add(1, Tag("type", error));
        }
    }

    /// <summary>One message given up after every attempt failed (a dead letter): counted, not timed.</summary>
    public void MessageGivenUp(string channel, string kind)
    {
        _messages.Add(1, Tag("channel", channel), Tag("kind", kind));
        _errors.Add(1, Tag("type", Telegram.DeadLetters.ErrorType));
        _window?.GivenUp();
    }

    public void ModelFallback(string model, string fallback) => _fallbacks.Add(1, Tag("model", model), Tag("fallback", fallback));

    public void ContextPruned(string trigger) => _contextPrunes.Add(1, new KeyValuePair<string, object?>("trigger", trigger));

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);

    private static KeyValuePair<string, object?> SeverityTag(AlertSeverity severity) => new("severity", severity.ToString().ToLowerInvariant());
}
