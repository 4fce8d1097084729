using Assistant.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistant.Telegram;

public static class TelegramServices
{
    /// <summary>The Telegram channel: the bot client, outbound flood gate, routing, status and the channel keeper.</summary>
    public static IServiceCollection AddTelegramChannel(this IServiceCollection services)
    {
        services.AddOptions<TelegramOptions>().BindConfiguration(TelegramOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelegramOptions>, TelegramOptionsValidator>();
        services.AddHttpClient(TelegramBot.HttpClientName, (sp, c) =>
        {
            var o = sp.GetRequiredService<IOptions<TelegramOptions>>().Value;
            c.Timeout = TimeSpan.FromSeconds(o.PollTimeoutSeconds + (2 * o.StallSeconds));
        }).AddUpstreamMeter(UpstreamMeter.Telegram);
        services.AddSingleton<TelegramBot>();
        services.AddSingleton(sp => new FloodGate(sp.GetRequiredService<IOptions<TelegramOptions>>().Value.FloodGate));
        services.AddSingleton<TelegramCounters>();
        services.AddSingleton<TelegramLink>();
        services.AddTransient<ChannelCondition>(); // one per channel activation
        services.AddSingleton<TelegramOutbox>();
        services.AddSingleton<TelegramResponder>();
        services.AddSingleton<ReplyPacing>();
        services.AddSingleton<Media.TelegramFiles>();
        services.AddSingleton<Media.PhotoReader>();
        services.AddSingleton<Media.VoiceReader>();
        services.AddSingleton<Media.DocumentReader>();
        services.AddSingleton<Media.MediaReader>();
        services.AddSingleton<UpdateRouter>();
        services.AddSingleton<DeadLetters>();
        services.AddSingleton<RecoverySweep>();
        services.AddSingleton<TelegramStatusService>();
        services.AddHostedService<TelegramWebhookCleanup>();
        return services;
    }

    /// <summary>
    /// Reads the token <c>scripts/telegram_login.sh</c> stored (<c>Telegram:SecretsFile</c>), below
    /// environment variables and the command line so that <c>Telegram__BotToken</c> still wins.
    /// </summary>
    public static IConfigurationBuilder AddTelegramSecrets(this IConfigurationManager configuration)
    {
        var file = Path.GetFullPath(configuration["Telegram:SecretsFile"] ?? new TelegramOptions().SecretsFile);
        if (!File.Exists(file))
        {
            return configuration;
        }

        var source = new JsonConfigurationSource
        {
            Path = Path.GetFileName(file),
            Optional = true,
            ReloadOnChange = false,
            FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.GetDirectoryName(file)!),
        };
        var position = configuration.Sources.ToList().FindIndex(s => s is EnvironmentVariablesConfigurationSource);
        configuration.Sources.Insert(position < 0 ? configuration.Sources.Count : position, source);
        return configuration;
    }
}
