using Assistant.Telegram;

namespace Assistant.IntegrationTests.Access;

/// <summary>
/// Roles against the real silo: a guest over their message rate is slowed (told once, the model not
/// called), a guest is held to their role's models, and who may change whose access.
/// </summary>
[Collection(RolesCollection.Name)]
public sealed class RolesTests(RolesFixture fixture) : IDisposable
{
    private const long Admin = RolesFixture.Admin;
    private const long Owner = RolesFixture.Owner;

    public void Dispose() => fixture.Model.Reset();

    [Fact]
    public async Task A_guest_over_their_message_rate_is_told_once_to_slow_down_and_the_model_is_not_called()
    {
        const long guest = 5_301;
        var texts = Enumerable.Range(1, 7).Select(i => $"guest question {i}").ToList();
        var messages = texts.Select(t => fixture.Telegram.SendUserMessage(guest, guest, t)).ToList();

        // A command is not counted, and the chat's messages are answered in order: once it is answered, all of them were.
        Assert.Contains("/usage", await fixture.Telegram.AskAsync(guest, guest, "/help"));

        var replies = messages.Select(m => fixture.Telegram.RepliesTo(guest, m)).ToList();
        for (var i = 0; i < RolesFixture.GuestsPerMinute; i++)
        {
            Assert.Equal($"Echo: {texts[i]}", Assert.Single(replies[i]).Text);
        }

        Assert.Equal(TelegramCommands.SlowDown, Assert.Single(replies[RolesFixture.GuestsPerMinute]).Text);
        Assert.All(replies.Skip(RolesFixture.GuestsPerMinute + 1), Assert.Empty); // told once a minute, not once a message
        var asked = fixture.Model.Requests.Select(r => r.LastUserText).ToHashSet();
        Assert.All(texts.Take(RolesFixture.GuestsPerMinute), t => Assert.Contains(t, asked));
        Assert.All(texts.Skip(RolesFixture.GuestsPerMinute), t => Assert.DoesNotContain(t, asked));
    }

    [Fact]
    public async Task A_guest_uses_only_their_roles_models_and_a_user_may_choose_any()
    {
        const long guest = 5_302;
        Assert.StartsWith("Your role may not use the model fake-large", await fixture.Telegram.AskAsync(guest, guest, "/model fake-large"));
        Assert.DoesNotContain("fake-large", await fixture.Telegram.AskAsync(guest, guest, "/model"));

        // In a group set to the larger model by a user, the guest is still answered by theirs.
        const long group = -5_300_001;
        Assert.Equal("This chat now uses the model fake-large.", await fixture.Telegram.AskAsync(group, RolesFixture.Member, "/model fake-large"));
        var bot = "@" + Fakes.Telegram.FakeTelegramServer.BotUsername;
        Assert.Equal("Echo: from the member", (await fixture.Telegram.AskAsync(group, RolesFixture.Member, $"{bot} from the member")).Trim());
        Assert.Equal("Echo: from the guest", (await fixture.Telegram.AskAsync(group, guest, $"{bot} from the guest")).Trim());
        Assert.Equal("fake-large", fixture.Model.Requests.Single(r => r.LastUserText.Trim() == "from the member").Model);
        Assert.Equal("fake-model", fixture.Model.Requests.Single(r => r.LastUserText.Trim() == "from the guest").Model);
    }

    [Fact]
    public async Task Owners_make_admins_admins_manage_users_and_guests_and_no_one_changes_themself_or_an_owner()
    {
        const long target = 5_303, other = 5_304;
        Assert.Equal(TelegramCommands.AdminsOnly("/grant"), await fixture.Telegram.AskAsync(RolesFixture.Member, RolesFixture.Member, $"/grant {target} user"));
        Assert.Equal("Only an owner can make an admin.", await fixture.Telegram.AskAsync(Admin, Admin, $"/grant {target} admin"));
        Assert.Equal("You cannot change your own access.", await fixture.Telegram.AskAsync(Admin, Admin, $"/ban {Admin}"));
        Assert.Equal("An owner's access is set in Roles:Owners, not here.", await fixture.Telegram.AskAsync(Admin, Admin, $"/ban {Owner}"));
        Assert.Equal("Owners are set in Roles:Owners, not with /grant.", await fixture.Telegram.AskAsync(Owner, Owner, $"/grant {target} owner"));
        Assert.StartsWith("Send /grant USER admin|user|guest", await fixture.Telegram.AskAsync(Admin, Admin, "/grant someone user"));

        Assert.StartsWith($"Done: {target} is now admin.", await fixture.Telegram.AskAsync(Owner, Owner, $"/grant {target} admin"));
        Assert.StartsWith($"Done: {other} is banned.", await fixture.Telegram.AskAsync(target, target, $"/ban {other}")); // the new admin's first act
        Assert.Equal("Only an owner can change an admin's access.", await fixture.Telegram.AskAsync(Admin, Admin, $"/ban {target}"));
        Assert.Equal(TelegramCommands.Banned, await fixture.Telegram.AskAsync(other, other, "/usage"));

        // In a group, neither the change nor the ban is said for all to read.
        const long group = -5_300_002;
        Assert.StartsWith("I change users' access only in a private chat with me.", await fixture.Telegram.AskAsync(group, Admin, $"/ban {RolesFixture.Member}"));
        Assert.Equal(TelegramCommands.NotAllowed, await fixture.Telegram.AskAsync(group, other, "/usage"));

        // A limit is lifted only by an owner; 0 is not a quota (a ban is how a user is stopped).
        Assert.StartsWith("Send /quota USER USD", await fixture.Telegram.AskAsync(Admin, Admin, $"/quota {RolesFixture.Member} 0"));
        Assert.StartsWith("Send /quota USER USD", await fixture.Telegram.AskAsync(Admin, Admin, $"/quota {RolesFixture.Member} unlimited"));
        Assert.StartsWith($"Done: {RolesFixture.Member} has no daily budget limit.", await fixture.Telegram.AskAsync(Owner, Owner, $"/quota {RolesFixture.Member} unlimited"));

        // A configured admin demoted by an owner is restored by an owner only: "default" is judged as the role it gives back.
        const long second = RolesFixture.SecondAdmin;
        Assert.StartsWith($"Done: {second} is now user.", await fixture.Telegram.AskAsync(Owner, Owner, $"/grant {second} user"));
        Assert.Equal("Only an owner can make an admin.", await fixture.Telegram.AskAsync(Admin, Admin, $"/grant {second} default"));
        Assert.StartsWith($"Done: {second} has their configured role again.\nNow {second}: admin", await fixture.Telegram.AskAsync(Owner, Owner, $"/grant {second} default"));

        // Back to the configured role: not on a list, guests allowed, so a guest.
        Assert.StartsWith($"Done: {target} has their configured role again.\nNow {target}: guest", await fixture.Telegram.AskAsync(Owner, Owner, $"/grant {target} default"));

        var users = await fixture.Telegram.AskAsync(Owner, Owner, "/users");
        Assert.Contains($"• {Owner}: owner", users);
        Assert.Contains($"• {target}: guest (last change by {Owner} at ", users);
        Assert.Contains($"• {other}: banned (last change by {target} at ", users);
        Assert.Contains("Anyone else may talk to me as a guest.", users);
    }
}
