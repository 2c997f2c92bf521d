using EdgeAgent.Commands;
using EdgeAgent.Configuration;
using EdgeAgent.Control;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal;
using EdgeAgent.Observability;
using EdgeAgent.Uplink;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Hosting;

/// <summary>Builds the agent's host: configuration, HAL, control stack, hosted services, systemd integration.</summary>
internal static class AgentHost
{
    /// <summary>Builds the host for a validated configuration.</summary>
    /// <param name="options">The validated configuration.</param>
    /// <param name="settings">What the run verb was asked to do.</param>
    /// <returns>The host, not started.</returns>
    public static IHost Build(AgentOptions options, RunSettings settings)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "edge-agent",
            ContentRootPath = AppContext.BaseDirectory,
        });

        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);

        IServiceCollection services = builder.Services;
        services.AddSystemd();

        // AddSystemd registers the notifier only under systemd; the watchdog wants it always (disabled outside).
        services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = ControlLoopsService.ShutdownBudget(options) + TimeSpan.FromSeconds(5));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(settings);
        services.AddSingleton(options);
        services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
        services.AddOptions<AgentOptions>().Configure(o => AgentOptions.CopySections(options, o)).ValidateOnStart();
        services.AddSingleton(sp => new ControlParts(options, HalFactory.Create(options, MonotonicClock.Instance)));
        services.AddSingleton(sp => sp.GetRequiredService<ControlParts>().Sampler);
        services.AddSingleton(sp => new TelemetryUplink(
            options, sp.GetRequiredService<ControlParts>().Ring, Guid.CreateVersion7().ToString(), sp.GetRequiredService<ILogger<TelemetryUplink>>(), TimeProvider.System));

        // First: started (and scraped once) before the loops' warm-up, whose compacting GC then collects its
        // start-up garbage while no loop runs; stopped last, so the shutdown stop can be watched on /status.
        services.AddSingleton<HealthMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthMonitor>());
        services.AddSingleton<AgentMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentMetrics>());
        services.AddSingleton<AgentStatusSource>();
        services.AddSingleton<ObservabilityServer>();
        services.AddHostedService(sp => sp.GetRequiredService<ObservabilityServer>());

        // Registered before the loops: hosted services stop in reverse order, so the uplink stops after the
        // loops and batches their last samples before spilling what is left.
        services.AddHostedService<UplinkService>();
        services.AddHostedService<SampleAnnotator>();
        services.AddSingleton<ControlLoopsService>();
        services.AddHostedService(sp => sp.GetRequiredService<ControlLoopsService>());
        services.AddHostedService<StatusReporter>();
        services.AddHostedService<SystemdWatchdog>();
        services.AddHostedService<SystemdReadiness>();
        services.AddSingleton<Ros2DiagnosticsPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<Ros2DiagnosticsPublisher>());
        services.AddHostedService<OperatorSignals>();
        services.AddSingleton<ConfigReloader>();
        services.AddHostedService(sp => sp.GetRequiredService<ConfigReloader>());
        services.AddSingleton<CommandState>();
        if (options.Commands.PublicKeyFile.Length > 0 && options.Uplink.Endpoint.Length > 0)
        {
            services.AddHostedService(CreateCommandLink);
        }
        if (settings.Duration is { } duration)
        {
            services.AddHostedService(sp => new RunDuration(duration, sp.GetRequiredService<IHostApplicationLifetime>()));
        }

        return builder.Build();
    }

    /// <summary>The fleet command link on the uplink's channel, its verifier holding the fleet's public key (read now: a bad key fails the start).</summary>
    private static CommandLink CreateCommandLink(IServiceProvider sp)
    {
        AgentOptions options = sp.GetRequiredService<AgentOptions>();
        TelemetryUplink uplink = sp.GetRequiredService<TelemetryUplink>();
        ControlParts parts = sp.GetRequiredService<ControlParts>();
        (Grpc.Core.CallInvoker invoker, Grpc.Core.Metadata headers) = uplink.FleetChannel
            ?? throw new InvalidOperationException("the command link needs the uplink's gRPC channel, and the uplink has none");
        var verifier = new CommandVerifier(options.Commands, options.Robot.Id, CommandVerifier.LoadPublicKey(options.Commands.PublicKeyFile), TimeProvider.System);
        var targets = new CommandTargets(
            parts.Safety,
            sp.GetRequiredService<ConfigReloader>(),
            uplink.FlushAsync,
            () => System.Text.Json.JsonSerializer.Serialize(sp.GetRequiredService<AgentStatusSource>().Take(), AgentStatusJson.Default.AgentStatus),
            () => parts.Motor.State.Battery.Level * 100.0);
        ILogger logger = sp.GetRequiredService<ILogger<CommandLink>>();
        var processor = new CommandProcessor(verifier, targets, sp.GetRequiredService<CommandState>(), logger, TimeProvider.System);
        return new CommandLink(invoker, headers, processor, sp.GetRequiredService<CommandState>(), options, uplink.BootId, logger, TimeProvider.System);
    }

    /// <summary>Stops the application after the <c>--duration</c> of the run.</summary>
    private sealed class RunDuration(TimeSpan duration, IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await Task.Delay(duration, stoppingToken).ConfigureAwait(false);
                lifetime.StopApplication();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
        }
    }
}
