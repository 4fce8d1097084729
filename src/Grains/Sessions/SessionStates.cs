using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Assistant.Sessions;

/// <summary>
/// Where a session's two states are kept: the conversation and the Telegram delivery record, rows
/// of the default grain storage that the session reads at activation and writes itself, so that an
/// answer is recorded in both in one transaction (<see cref="DurableState{T}.UpdateWithAsync{TOther}"/>).
/// </summary>
internal sealed class SessionStates(
    [FromKeyedServices(Orleans.Providers.ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME)] Orleans.Storage.IGrainStorage storage,
    DeepCopier copier)
{
    public const string Conversation = "conversation";

    public const string Delivery = InboxPendingMark.StateName;

    /// <summary>The states of session <paramref name="grainId"/>, not yet read; a version conflict on either calls <paramref name="onConflict"/>.</summary>
    public ChatActivation Open(GrainId grainId, Action onConflict)
    {
        var joint = storage as IJointGrainStorage
            ?? throw new InvalidOperationException($"The default grain storage ({storage.GetType().Name}) cannot write two states in one transaction; sessions need {nameof(GrainStateStore)}.");
        return new ChatActivation(
            grainId.Key.ToString()!,
            new DurableState<ChatSessionState>(new StoredStateRow<ChatSessionState>(joint, Conversation, grainId), copier.GetCopier<ChatSessionState>(), onConflict),
            new DurableState<TelegramInboxState>(new StoredStateRow<TelegramInboxState>(joint, Delivery, grainId), copier.GetCopier<TelegramInboxState>(), onConflict));
    }
}
