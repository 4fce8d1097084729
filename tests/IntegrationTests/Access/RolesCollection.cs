using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Access;

/// <summary>One silo with an owner, guests allowed at three messages a minute, and two models of which guests may use one.</summary>
[CollectionDefinition(Name)]
public sealed class RolesCollection : ICollectionFixture<RolesFixture>
{
    public const string Name = "Roles";
}

public sealed class RolesFixture : TelegramSiloFixture
{
    public const long Owner = 7;
    public const int GuestsPerMinute = 3;
    public const long SecondAdmin = 43;

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Roles:Owners:0"] = Owner.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Roles:AllowGuests"] = "true";
        settings["Telegram:AdminUsers:1"] = SecondAdmin.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Roles:Guest:MessagesPerMinute"] = GuestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Roles:Guest:Models:0"] = "fake-model";
        settings["AI:Models:0"] = "fake-large";
        settings["Sessions:Summaries"] = "false";
    }
}
