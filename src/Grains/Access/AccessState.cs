namespace Assistant.Access;

/// <summary>What owners and admins set for one user (<see cref="UserAccessGrain"/>); nothing set: the configured role.</summary>
[GenerateSerializer, Alias("Assistant.Access.AccessState")]
internal sealed class AccessState
{
    [Id(0)] public Role? Granted { get; set; }

    [Id(1)] public decimal? DailyQuota { get; set; }

    [Id(2)] public bool Banned { get; set; }

    [Id(3)] public long ChangedBy { get; set; }

    [Id(4)] public DateTimeOffset? ChangedAt { get; set; }

    [Id(5)] public string? LastChange { get; set; }
}

/// <summary>The users owners and admins changed (<see cref="AccessListGrain"/>).</summary>
[GenerateSerializer, Alias("Assistant.Access.AccessListState")]
internal sealed class AccessListState
{
    [Id(0)] public SortedSet<long> Users { get; set; } = [];
}
