namespace Assistant.Sessions;

/// <summary>One message of the context window, as persisted.</summary>
[GenerateSerializer, Alias("Assistant.Sessions.ChatEntry")]
public sealed class ChatEntry
{
    public const string User = "user";
    public const string Assistant = "assistant";

    [Id(0)]
    public string Role { get; set; } = User;

    [Id(1)]
    public string Text { get; set; } = "";

    [Id(2)]
    public DateTimeOffset Time { get; set; }

    /// <summary>The token estimate of <see cref="Text"/>, computed once when the message is added.</summary>
    [Id(3)]
    public int Tokens { get; set; }

    public static ChatEntry Create(string role, string text, DateTimeOffset time) =>
        new() { Role = role, Text = text, Time = time, Tokens = TokenEstimator.Estimate(text) };
}
