using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Conversations;

/// <summary>One silo with models, personas and notes to choose from, shared by the classes that talk to it.</summary>
[CollectionDefinition(Name)]
public sealed class ChatChoicesCollection : ICollectionFixture<ChatChoicesFixture>
{
    public const string Name = "chat choices";
}
