namespace Assistant.Sessions;

/// <summary>Taking in a conversation stored before the key spaces (<see cref="LegacySessionGrain"/>).</summary>
internal sealed partial class ChatSessionGrain
{
    /// <summary>
    /// The history first, merged once (by the old key), so the waiting messages are answered with
    /// it; then the waiting messages, each added unless stored or answered already. Both steps are
    /// safe to repeat, so a migration cut short between them is finished by the next call.
    /// </summary>
    public async Task AdoptAsync(LegacyConversation conversation)
    {
        Touch();
        var window = new ContextWindow(_options.MaxContextMessages, _options.MaxContextTokens);
        await _session.UpdateAsync(s => s.Adopt(conversation.Key, conversation.Session, window));
        var adopted = conversation.Inbox
            .Where(i => _inbox.Value.Find(i.Message.UpdateId) is null && !Conversation.Answered(i.Message.UpdateId))
            .ToList();
        if (adopted.Count > 0)
        {
            await _inbox.UpdateAsync(s => s.Items.AddRange(adopted));
        }

        _registry.Publish(SessionSnapshot.Of(SessionId, Conversation));
        await TouchDirectoryAsync();
        ResumeInbox(firstWasInterrupted: false); // the queue takes each update once
    }
}
