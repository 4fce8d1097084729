namespace Assistant.Maintenance;

/// <summary>Maintenance mode as this silo knows it (pushed by the mode grain, re-read by the keeper).</summary>
public sealed class ServiceMode
{
    private volatile ServiceModeState _state = new(false, null, null);

    public bool Maintenance => _state.Maintenance;

    public ServiceModeState State => _state;

    public const string DefaultMessage = "The assistant is under maintenance right now and is not starting new conversations. Please try again a little later.";

    public string Message => _state.Message ?? DefaultMessage;

    public void Apply(ServiceModeState state) => _state = state;
}
