using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using CivicDesk.Triage;
using CivicDesk.Triage.Learning;
using CivicDesk.Web.Data;
using CivicDesk.Web.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Features.Triage;

public sealed class TriageOptions
{
    public const string Section = "Triage";

    /// <summary>Folder of the base model files (*.cdtm). Default: models/ beside the app, else models/ found walking up from it.</summary>
    public string? ModelDirectory { get; set; }

    /// <summary>False: keyword triage only (no models loaded).</summary>
    public bool UseModels { get; set; } = true;

    /// <summary>How often an organisation's model registry is checked for a newly activated version.</summary>
    [Range(1, 3600)] public int ReloadCheckSeconds { get; set; } = 30;
}

public static class TriageFeature
{
    public static WebApplicationBuilder AddTriageFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TriageOptions>().BindConfiguration(TriageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // One base engine for the process (engines are pure and thread-safe); organisations with retrained models get
        // their own through TriageEngines.
        builder.Services.AddSingleton<ITriageEngine>(sp => TriageEngines.CreateBase(
            sp.GetRequiredService<IOptions<TriageOptions>>().Value, sp.GetRequiredService<IHostEnvironment>(),
            sp.GetRequiredService<ILogger<TriageEngines>>()));
        builder.Services.AddSingleton(sp => new TriageEngines(
            sp.GetRequiredService<ITriageEngine>(), sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<IOptions<TriageOptions>>(),
            DataDirectory.Resolve(sp.GetRequiredService<IConfiguration>()), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TriageEngines>>()));
        builder.Services.AddScoped<TriageCorrections>();
        return builder;
    }
}

/// <summary>
/// The triage engine for each organisation: the base engine (the shipped models, or keywords when they are missing),
/// or, once <c>civicdesk triage train --organisation … --with-feedback</c> has activated retrained models, an engine over
/// those (tasks without a retrained version keep the base model). Retrained models live under
/// <c>&lt;data&gt;/models/&lt;organisation slug&gt;/</c> with a <see cref="ModelRegistry"/>; the registry file is checked at most every
/// <see cref="TriageOptions.ReloadCheckSeconds"/> and the engine rebuilt when it changed (the CLI is another process).
/// </summary>
public sealed partial class TriageEngines(ITriageEngine baseEngine, IServiceScopeFactory scopes, IOptions<TriageOptions> options, string dataDirectory,
    TimeProvider clock, ILogger<TriageEngines> logger)
{
    private readonly ConcurrentDictionary<long, Entry> _entries = new();

    public ITriageEngine Base => baseEngine;

    /// <summary>Folder of an organisation's retrained models.</summary>
    public static string OrganisationFolder(string dataDirectory, string slug) => Path.Combine(dataDirectory, "models", slug);

    public async ValueTask<ITriageEngine> ForAsync(long organisationId, CancellationToken ct)
    {
        // Only the model engine is specialised per organisation (a replaced engine, e.g. in tests, is used as is).
        if (baseEngine is not ModelTriageEngine baseModels)
        {
            return baseEngine;
        }

        var now = clock.GetUtcNow();
        if (_entries.TryGetValue(organisationId, out var entry) && now - entry.CheckedAt < TimeSpan.FromSeconds(options.Value.ReloadCheckSeconds))
        {
            return entry.Engine;
        }

        var slug = entry?.Slug ?? await SlugAsync(organisationId, ct);
        var registry = Path.Combine(OrganisationFolder(dataDirectory, slug), ModelRegistry.FileName);
        var stamp = File.Exists(registry) ? File.GetLastWriteTimeUtc(registry) : DateTime.MinValue;
        if (entry is not null && entry.Stamp == stamp)
        {
            _entries[organisationId] = entry with { CheckedAt = now };
            return entry.Engine;
        }

        var engine = stamp == DateTime.MinValue ? baseEngine : Build(baseModels, Path.GetDirectoryName(registry)!, organisationId);
        _entries[organisationId] = new Entry(slug, stamp, now, engine);
        return engine;
    }

    /// <summary>Forgets an organisation's engine: the next message reloads its registry.</summary>
    public void Invalidate(long organisationId) => _entries.TryRemove(organisationId, out _);

    private ModelTriageEngine Build(ModelTriageEngine baseModels, string folder, long organisationId)
    {
        try
        {
            var registry = ModelRegistry.Open(folder);
            var retrained = registry.LoadActive();
            if (retrained.Count == 0)
            {
                return baseModels;
            }

            var tasks = retrained.Select(m => m.Task).ToHashSet(StringComparer.Ordinal);
            var models = ModelSet.From([.. retrained, .. baseModels.Models.Models.Where(m => !tasks.Contains(m.Task))]);
            var version = "models " + string.Join(", ", tasks.Order(StringComparer.Ordinal).Select(t => $"{t} v{registry.Tasks[t].Active}")) + " + base";
            LogOrganisationModels(logger, organisationId, retrained.Count);
            return new ModelTriageEngine(models, version);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            LogOrganisationModelsFailed(logger, e, organisationId);
            return baseModels;
        }
    }

    private async Task<string> SlugAsync(long organisationId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        return await db.Organisations.AsNoTracking().Where(o => o.Id == organisationId).Select(o => o.Slug).SingleOrDefaultAsync(ct) ?? $"organisation-{organisationId}";
    }

    /// <summary>The base engine: models from <see cref="TriageOptions.ModelDirectory"/> (or found), else keywords with a warning.</summary>
    internal static ITriageEngine CreateBase(TriageOptions options, IHostEnvironment environment, ILogger logger)
    {
        if (!options.UseModels)
        {
            return new KeywordTriageEngine();
        }

        var folder = FindModelDirectory(options.ModelDirectory, environment.ContentRootPath);
        if (folder is null)
        {
            LogModelsMissing(logger, options.ModelDirectory ?? "models/");
            return new KeywordTriageEngine();
        }

        try
        {
            var engine = new ModelTriageEngine(SharedModels.GetOrAdd(folder, f => new Lazy<ModelSet>(() => ModelSet.Load(f))).Value);
            LogModelsLoaded(logger, engine.Models.Models.Count, folder);
            return engine;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            SharedModels.TryRemove(folder, out _);
            LogModelsFailed(logger, e, folder);
            return new KeywordTriageEngine();
        }
    }

    // Model sets are immutable: several hosts in one process (tests, the CLI) share one load per folder.
    private static readonly ConcurrentDictionary<string, Lazy<ModelSet>> SharedModels = new(StringComparer.Ordinal);

    internal static string? FindModelDirectory(string? configured, string contentRoot)
    {
        static bool HasModels(string dir) => Directory.Exists(dir) && Directory.EnumerateFiles(dir, "*.cdtm").Any();
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return HasModels(configured) ? Path.GetFullPath(configured) : null;
        }

        foreach (var start in new[] { AppContext.BaseDirectory, contentRoot })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "models");
                if (HasModels(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private sealed record Entry(string Slug, DateTime Stamp, DateTimeOffset CheckedAt, ITriageEngine Engine);

    [LoggerMessage(Level = LogLevel.Information, Message = "Triage models loaded: {Count} from {Folder}")]
    private static partial void LogModelsLoaded(ILogger logger, int count, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No triage model files found ({Folder}); using keyword triage")]
    private static partial void LogModelsMissing(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Triage models in {Folder} could not be loaded; using keyword triage")]
    private static partial void LogModelsFailed(ILogger logger, Exception e, string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Organisation {OrganisationId} uses {Count} retrained triage models")]
    private static partial void LogOrganisationModels(ILogger logger, long organisationId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retrained triage models of organisation {OrganisationId} could not be loaded; using the base models")]
    private static partial void LogOrganisationModelsFailed(ILogger logger, Exception e, long organisationId);
}
