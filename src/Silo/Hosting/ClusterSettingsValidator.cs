using System.Net;
using Microsoft.Extensions.Options;

namespace Assistant.Silo.Hosting;

internal sealed class ClusterSettingsValidator : IValidateOptions<ClusterSettings>
{
    public ValidateOptionsResult Validate(string? name, ClusterSettings s)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(s.ClusterId))
        {
            failures.Add("Cluster:ClusterId must not be empty");
        }

        if (string.IsNullOrWhiteSpace(s.ServiceId))
        {
            failures.Add("Cluster:ServiceId must not be empty");
        }

        CheckPort(failures, "Cluster:SiloPort", s.SiloPort);
        CheckPort(failures, "Cluster:GatewayPort", s.GatewayPort);
        if (s.SiloPort == s.GatewayPort)
        {
            failures.Add($"Cluster:SiloPort and Cluster:GatewayPort must differ (both are {s.SiloPort})");
        }

        if (!IPAddress.TryParse(s.AdvertisedAddress, out _))
        {
            failures.Add($"Cluster:AdvertisedAddress '{s.AdvertisedAddress}' is not an IP address");
        }

        if (s.ListenAddress is not null && !IPAddress.TryParse(s.ListenAddress, out _))
        {
            failures.Add($"Cluster:ListenAddress '{s.ListenAddress}' is not an IP address");
        }

        failures.Positive("Cluster:ProbeTimeoutSeconds", s.ProbeTimeoutSeconds);
        failures.Positive("Cluster:IAmAliveSeconds", s.IAmAliveSeconds);
        failures.Positive("Cluster:TableRefreshSeconds", s.TableRefreshSeconds);
        failures.Positive("Cluster:ResponseTimeoutSeconds", s.ResponseTimeoutSeconds);
        failures.Positive("Cluster:MissedProbesLimit", s.MissedProbesLimit);
        failures.Positive("Cluster:VotesForDeathDeclaration", s.VotesForDeathDeclaration);
        failures.Positive("Cluster:DirectoryCacheSize", s.DirectoryCacheSize);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckPort(List<string> failures, string key, int port)
    {
        if (port is < 1 or > 65535)
        {
            failures.Add($"{key} must be a port between 1 and 65535 (was {port})");
        }
    }
}
