namespace Assistant.Models;

public enum AiProvider
{
    /// <summary>No model: an honest built-in reply that says how to configure one.</summary>
    Offline,

    /// <summary>Any OpenAI-compatible chat completions endpoint: OpenAI, Ollama, vLLM, llama.cpp server, LM Studio.</summary>
    OpenAI,
}
