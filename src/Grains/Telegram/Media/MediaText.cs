namespace Assistant.Telegram.Media;

/// <summary>Keeping what a file or a transcript adds to the conversation within the message limit.</summary>
public static class MediaText
{
    /// <summary><paramref name="text"/>, or its first <paramref name="room"/> characters (never half a character) with a note of what was cut.</summary>
    public static string Within(string text, int room)
    {
        if (text.Length <= room)
        {
            return text;
        }

        room = Math.Max(0, room);
        if (room > 0 && char.IsHighSurrogate(text[room - 1]))
        {
            room--;
        }

        return text[..room] + $"\n[… the first {room} of {text.Length} characters]";
    }
}
