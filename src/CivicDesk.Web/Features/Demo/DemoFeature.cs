using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Demo;

public static class DemoFeature
{
    /// <summary>Demo mode (<c>Demo:Enabled</c>): the organisation at start-up, its messages once the host runs, and the live feed.</summary>
    public static WebApplicationBuilder AddDemoFeature(this WebApplicationBuilder builder)
    {
        builder.AddDemoSeeding();
        var options = builder.Configuration.GetSection(DemoOptions.Section).Get<DemoOptions>() ?? new DemoOptions();
        if (options.Enabled)
        {
            // Registered after the ingestion feature's workers, so they start first.
            builder.Services.AddSingleton<DemoStartup>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<DemoStartup>());
            if (options.LiveFeed)
            {
                builder.Services.AddSingleton<DemoFeed>();
                builder.Services.AddHostedService(sp => sp.GetRequiredService<DemoFeed>());
            }
        }

        return builder;
    }

    /// <summary>The seeding service alone (also used by <c>civicdesk seed --demo</c>).</summary>
    public static WebApplicationBuilder AddDemoSeeding(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DemoDataSource>();
        builder.Services.AddScoped<DemoSeeder>();
        builder.Services.AddSingleton<DemoSeedingProgress>();
        builder.Services.AddScoped<DemoCases>();
        // civicdesk seed --synthetic N: bulk data for benchmarks (SyntheticData.cs).
        builder.Services.AddSingleton<SyntheticSeeder>();
        return builder;
    }

    /// <summary>
    /// Demo mode only: creates the demo organisation, teams, staff, channels and rules (after migrations, before the host
    /// runs) and prints the sign-ins. The messages follow once the host has started (<see cref="DemoStartup"/>): they go
    /// through the ingest pipeline, which runs with the host.
    /// </summary>
    public static async Task SeedDemoAsync(this WebApplication app, CancellationToken ct = default)
    {
        if (!app.Services.GetRequiredService<IOptions<DemoOptions>>().Value.Enabled)
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var seeded = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedOrganisationAsync(ct);
        PrintSignIns(Console.Out, seeded);
        // Open311 (issue 5): jurisdiction "demo", the FixMyStreet client's key and a service definition.
        await Console.Out.WriteLineAsync(await DemoOpen311.SeedAsync(scope.ServiceProvider, seeded.OrganisationId,
            Platform.DataDirectory.Resolve(app.Configuration), ct));
    }

    /// <summary>Seeds the whole demo (organisation and messages) in a scope of its own; the ingest pipeline must be running.</summary>
    public static async Task<DemoSeedResult> SeedDemoOrganisationAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(ct);
    }

    /// <summary>
    /// The sign-in block printed at every start in demo mode. Console, not the logger: passwords have no place in log
    /// sinks, and this is for the person who started the demo.
    /// </summary>
    public static void PrintSignIns(TextWriter output, DemoSeedResult result)
    {
        var rule = new string('=', 78);
        output.WriteLine();
        output.WriteLine(rule);
        output.WriteLine("Demo sign-ins (demo mode only): email / password / role");
        output.WriteLine(result switch
        {
            { Messages: { Seeded: true } m } => $"Demo Borough Council seeded now: {m.Count} messages in {m.Elapsed.TotalSeconds:0.0} s from {m.DataSource}.",
            { Created: true } => "Demo Borough Council created now; its messages are being added in the background.",
            _ => "Demo Borough Council already seeded; nothing was added.",
        });
        output.WriteLine(rule);
        if (result.SignIns.Count == 0)
        {
            output.WriteLine($"(No {DemoSignIns.FileName} in the data directory: the passwords were shown when the demo was first seeded.)");
        }

        foreach (var s in result.SignIns)
        {
            output.WriteLine($"{s.Email} / {s.Password} / {s.Role} ({s.Team})");
        }

        output.WriteLine(rule);
        output.WriteLine(result.ApiKeyToShow is { } key ? $"Ingest API key ({result.ApiKeyNote}): {key}" : $"Ingest API key: {result.ApiKeyNote}");
        output.WriteLine("Staff sign in at /account/sign-in; the citizen form is at /.");
        output.WriteLine(rule);
        output.WriteLine();
    }
}
