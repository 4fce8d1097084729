using Assistant.Models;

namespace Assistant.Sessions;

/// <summary>What the model answered to one question: its text, the kind of failure when it did not finish, the tools it called.</summary>
/// <param name="ImageRefused">The endpoint refused the question's image (a model without vision): it may be asked again without it.</param>
/// <param name="CutOff">The model stopped at its output limit (<c>finish_reason: length</c>): the text is not the whole answer.</param>
/// <param name="NotesTokens">What the user's notes added to the prompt: the window recorded leaves room for them, as the prompt did.</param>
/// <param name="Refusal">A budget refused the turn (<see cref="ModelFailure.OverBudget"/>): what the user is told, the model was not called.</param>
/// <param name="RefusedUntil">When the budget that refused the turn resets.</param>
internal sealed record ExchangeResult(
    ChatEntry Question, string Text, string? Failure, IReadOnlyList<string> ToolCalls, bool ImageRefused = false, bool CutOff = false, int NotesTokens = 0, string? Refusal = null, DateTimeOffset RefusedUntil = default)
{
    public const string CutOffNote = "(My answer was cut off here: it reached the length limit for one answer. Ask me to go on.)";

    /// <summary>What the user is shown: a cut-off answer says so, rather than pass for a whole one.</summary>
    public string Reply => Failure switch
    {
        null when CutOff => Text + "\n\n" + CutOffNote,
        null => Text,
        ModelFailure.Cancelled when Text.Length > 0 => Text + "\n\n(cancelled)",
        ModelFailure.OverBudget => Refusal!,
        _ => ModelFailure.Apology(Failure),
    };
}

/// <summary>The session is stopping (its silo shuts down): the turn ends at a safe point and the next activation takes it up.</summary>
internal sealed class SessionStoppingException() : OperationCanceledException("The session stopped before this reply was finished.");
