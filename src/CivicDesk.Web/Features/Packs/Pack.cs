using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Packs;

// A pack is working configuration one body shares with another: versioned JSON (docs/pack.schema.json). Teams are
// named, not numbered, because ids mean nothing in another installation; a team a pack names is created on import.

public sealed record PackRoutingRule(string Name, int Position, bool Enabled, string? Keywords, string? Pattern, string? Kind, string? Category, string? Sentiment,
    ChannelKind? ChannelKind, string? PlaceContains, bool UrgentOnly, string Team, Priority? SetPriority);

public sealed record PackReplyTemplate(string Name, string Body, string? Team);

public sealed record PackListeningSearch(string Name, string Terms, SearchMatch Match, bool Enabled, bool Public, string? PrivateReason, string? Purpose, string? LegalBasis);

public sealed record PackSlaPolicy(string? Team, string? ServiceCode, Priority? Priority, double FirstResponseHours, double ResolutionHours);

public sealed record PackRetentionPolicy(RetentionDataClass DataClass, int PeriodDays, RetentionAction Action, bool Enabled);

/// <summary>An FAQ entry (version 2): matched on import by its question.</summary>
public sealed record PackFaqEntry(string Question, string Answer, string Topic, bool Published);

public sealed record PackDocument(
    string Format,
    int Version,
    string Name,
    string? Description,
    string? From,
    DateTime ExportedAt,
    IReadOnlyList<PackRoutingRule>? RoutingRules,
    IReadOnlyList<PackReplyTemplate>? ReplyTemplates,
    IReadOnlyList<PackListeningSearch>? ListeningSearches,
    IReadOnlyList<PackSlaPolicy>? SlaPolicies,
    IReadOnlyList<PackRetentionPolicy>? RetentionPolicies,
    IReadOnlyList<PackFaqEntry>? FaqEntries = null)
{
    public const string FormatName = "civicdesk-pack";
    /// <summary>Version 2 added <see cref="FaqEntries"/>; version 1 packs are still read.</summary>
    public const int CurrentVersion = 2;
    public const int MaxBytes = 2 * 1024 * 1024;
}

/// <summary>One line of an import preview: what will be added or changed, or why the pack cannot be applied.</summary>
public sealed record PackChange(string Section, string Item, string What);

public sealed record PackPreview(IReadOnlyList<PackChange> Changes, IReadOnlyList<string> Errors)
{
    public bool CanApply => Errors.Count == 0;
}

/// <summary>Exports an organisation's configuration as a pack, previews an import and applies it all or nothing.</summary>
public sealed class PackService(CivicDeskDb db, OrganisationContext organisation, AuditLog audit, TimeProvider clock)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        // A typo in a field name must not silently drop configuration.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public async Task<PackDocument> ExportAsync(string name, string? description, CancellationToken ct)
    {
        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        string? Team(long? id) => id is { } t ? teams.GetValueOrDefault(t) : null;
        var org = await db.Organisations.AsNoTracking().Select(o => o.Name).FirstOrDefaultAsync(ct);
        var rules = await db.RoutingRules.AsNoTracking().OrderBy(r => r.Position).ToListAsync(ct);
        var templates = await db.ReplyTemplates.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        var searches = await db.ListeningSearches.AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
        var sla = await db.SlaPolicies.AsNoTracking().OrderBy(p => p.Id).ToListAsync(ct);
        var retention = await db.RetentionPolicies.AsNoTracking().OrderBy(p => p.DataClass).ToListAsync(ct);
        var faq = await db.FaqEntries.AsNoTracking().OrderBy(f => f.Topic).ThenBy(f => f.Question).ToListAsync(ct);
        return new PackDocument(PackDocument.FormatName, PackDocument.CurrentVersion, name, description, org, clock.GetUtcNow().UtcDateTime,
            rules.Select(r => new PackRoutingRule(r.Name, r.Position, r.IsEnabled, r.Keywords, r.Pattern, r.Kind, r.Category, r.Sentiment, r.ChannelKind, r.PlaceContains,
                r.UrgentOnly, Team(r.TeamId) ?? "", r.SetPriority)).ToList(),
            templates.Select(t => new PackReplyTemplate(t.Name, t.Body, Team(t.TeamId))).ToList(),
            searches.Select(s => new PackListeningSearch(s.Name, s.Terms, s.Match, s.IsEnabled, s.IsPublic, s.PrivateReason, s.Purpose, s.LegalBasis)).ToList(),
            sla.Select(p => new PackSlaPolicy(Team(p.TeamId), p.ServiceCode, p.Priority, p.FirstResponseHours, p.ResolutionHours)).ToList(),
            retention.Select(p => new PackRetentionPolicy(p.DataClass, p.PeriodDays, p.Action, p.IsEnabled)).ToList(),
            faq.Select(f => new PackFaqEntry(f.Question, f.Answer, f.Topic, f.IsPublished)).ToList());
    }

    /// <summary>
    /// Exports the configuration now and publishes it on the organisation's public catalogue page (/packs) for other
    /// bodies to download. Reply templates and FAQ answers are public text already; nothing personal is in a pack.
    /// </summary>
    public async Task<(PublishedPack? Pack, string? Error)> PublishAsync(string? name, string? description, string publishedBy, CancellationToken ct)
    {
        name = name?.Trim();
        description = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 120)
        {
            return (null, "Enter a name for the pack of 1 to 120 characters");
        }

        if (description is { Length: > PublishedPack.MaxDescriptionLength })
        {
            return (null, $"The description must be {PublishedPack.MaxDescriptionLength} characters or fewer");
        }

        var pack = await ExportAsync(name, description, ct);
        var published = new PublishedPack
        {
            OrganisationId = organisation.OrganisationId ?? throw new InvalidOperationException("Publishing a pack needs an organisation."),
            Name = name, Description = description, Json = JsonSerializer.Serialize(pack, Json), Contents = Contents(pack),
            PublishedAt = clock.GetUtcNow().UtcDateTime, PublishedByName = publishedBy,
        };
        db.PublishedPacks.Add(published);
        await db.SaveChangesAsync(ct);
        audit.Record("pack.published", "PublishedPack", published.Id, after: new { published.Name, published.Contents });
        await db.SaveChangesAsync(ct);
        return (published, null);
    }

    /// <summary>Takes a pack off the public catalogue (kept, for the audit trail's sake, but no longer offered).</summary>
    public async Task<bool> WithdrawAsync(long id, CancellationToken ct)
    {
        var pack = await db.PublishedPacks.SingleOrDefaultAsync(p => p.Id == id && p.WithdrawnAt == null, ct);
        if (pack is null)
        {
            return false;
        }

        pack.WithdrawnAt = clock.GetUtcNow().UtcDateTime;
        audit.Record("pack.withdrawn", "PublishedPack", pack.Id, after: new { pack.Name });
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>"3 routing rules, 2 reply templates…": what a catalogue reader gets.</summary>
    public static string Contents(PackDocument pack)
    {
        var parts = new (int Count, string One, string Many)[]
        {
            ((pack.RoutingRules ?? []).Count, "routing rule", "routing rules"),
            ((pack.ReplyTemplates ?? []).Count, "reply template", "reply templates"),
            ((pack.FaqEntries ?? []).Count, "FAQ entry", "FAQ entries"),
            ((pack.ListeningSearches ?? []).Count, "listening search", "listening searches"),
            ((pack.SlaPolicies ?? []).Count, "service target", "service targets"),
            ((pack.RetentionPolicies ?? []).Count, "retention policy", "retention policies"),
        }.Where(p => p.Count > 0).Select(p => $"{p.Count} {(p.Count == 1 ? p.One : p.Many)}").ToList();
        return parts.Count == 0 ? "Empty" : string.Join(", ", parts);
    }

    /// <summary>Parses and checks a pack; null with the reasons when it is not one we can read.</summary>
    public static (PackDocument? Pack, IReadOnlyList<string> Errors) Parse(string json)
    {
        if (json.Length > PackDocument.MaxBytes)
        {
            return (null, ["The pack is larger than 2 MB"]);
        }

        PackDocument? pack;
        try
        {
            pack = JsonSerializer.Deserialize<PackDocument>(json, Json);
        }
        catch (JsonException e)
        {
            return (null, [$"The pack is not valid JSON for this format: {e.Message}"]);
        }

        if (pack is null)
        {
            return (null, ["The pack is empty"]);
        }

        var errors = new List<string>();
        if (pack.Format != PackDocument.FormatName)
        {
            errors.Add($"This is not a CivicDesk pack (format must be \"{PackDocument.FormatName}\")");
        }

        if (pack.Version is < 1 or > PackDocument.CurrentVersion)
        {
            errors.Add($"Pack version {pack.Version} is not supported: this CivicDesk reads version 1 to {PackDocument.CurrentVersion}");
        }

        foreach (var r in pack.RoutingRules ?? [])
        {
            Check(errors, !string.IsNullOrWhiteSpace(r.Name) && r.Name.Length <= 120, $"Routing rule \"{r.Name}\": the name must be 1 to 120 characters");
            Check(errors, !string.IsNullOrWhiteSpace(r.Team) && r.Team.Length <= 100, $"Routing rule \"{r.Name}\": name the team it routes to");
            if (r.Pattern is { Length: > 0 } pattern)
            {
                try
                {
                    _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
                }
                catch (ArgumentException)
                {
                    errors.Add($"Routing rule \"{r.Name}\": the pattern is not a valid regular expression");
                }
            }
        }

        foreach (var t in pack.ReplyTemplates ?? [])
        {
            Check(errors, !string.IsNullOrWhiteSpace(t.Name) && t.Name.Length <= ReplyTemplate.MaxNameLength, $"Reply template \"{t.Name}\": the name must be 1 to {ReplyTemplate.MaxNameLength} characters");
            Check(errors, !string.IsNullOrWhiteSpace(t.Body) && t.Body.Length <= ReplyTemplate.MaxBodyLength, $"Reply template \"{t.Name}\": the text must be 1 to {ReplyTemplate.MaxBodyLength} characters");
        }

        foreach (var s in pack.ListeningSearches ?? [])
        {
            Check(errors, !string.IsNullOrWhiteSpace(s.Name) && s.Name.Length <= 120, $"Listening search \"{s.Name}\": the name must be 1 to 120 characters");
            Check(errors, !string.IsNullOrWhiteSpace(s.Terms) && s.Terms.Length <= ListeningSearch.MaxTermsLength, $"Listening search \"{s.Name}\": give 1 to {ListeningSearch.MaxTermsLength} characters of terms");
            Check(errors, s.Public || !string.IsNullOrWhiteSpace(s.PrivateReason), $"Listening search \"{s.Name}\": a private search needs its reason");
        }

        foreach (var p in pack.SlaPolicies ?? [])
        {
            Check(errors, p.FirstResponseHours is > 0 and <= 10_000 && p.ResolutionHours is > 0 and <= 100_000 && p.ResolutionHours >= p.FirstResponseHours,
                $"Service target for {p.Team ?? "every team"}: hours must be positive and resolution no sooner than first response");
        }

        foreach (var p in pack.RetentionPolicies ?? [])
        {
            Check(errors, p.PeriodDays is >= 1 and <= 36_500, $"Retention policy {p.DataClass}: the period must be 1 to 36,500 days");
        }

        foreach (var f in pack.FaqEntries ?? [])
        {
            var label = f.Question is { Length: > 40 } q ? q[..40] + "…" : f.Question;
            Check(errors, !string.IsNullOrWhiteSpace(f.Question) && f.Question.Length <= FaqEntry.MaxQuestionLength, $"FAQ entry \"{label}\": the question must be 1 to {FaqEntry.MaxQuestionLength} characters");
            Check(errors, !string.IsNullOrWhiteSpace(f.Answer) && f.Answer.Length <= FaqEntry.MaxAnswerLength, $"FAQ entry \"{label}\": the answer must be 1 to {FaqEntry.MaxAnswerLength} characters");
            Check(errors, !string.IsNullOrWhiteSpace(f.Topic) && f.Topic.Length <= FaqEntry.MaxTopicLength, $"FAQ entry \"{label}\": the topic must be 1 to {FaqEntry.MaxTopicLength} characters");
        }

        Check(errors, (pack.RetentionPolicies ?? []).Select(p => p.DataClass).Distinct().Count() == (pack.RetentionPolicies ?? []).Count, "The pack has two retention policies for one kind of data");
        return (errors.Count == 0 ? pack : null, errors);
    }

    private static void Check(List<string> errors, bool ok, string message)
    {
        if (!ok)
        {
            errors.Add(message);
        }
    }

    /// <summary>What applying would add or change here, without changing anything.</summary>
    public async Task<PackPreview> PreviewAsync(string json, CancellationToken ct)
    {
        var (pack, errors) = Parse(json);
        if (pack is null)
        {
            return new PackPreview([], errors);
        }

        var changes = new List<PackChange>();
        await ApplyAsync(pack, changes, save: false, ct);
        db.ChangeTracker.Clear();     // a preview is the apply without the save
        return new PackPreview(changes, []);
    }

    /// <summary>Applies the pack in one transaction: every item or none (a malformed pack changes nothing).</summary>
    public async Task<PackPreview> ImportAsync(string json, CancellationToken ct)
    {
        var (pack, errors) = Parse(json);
        if (pack is null)
        {
            return new PackPreview([], errors);
        }

        var changes = new List<PackChange>();
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        await ApplyAsync(pack, changes, save: true, ct);
        audit.Record("pack.imported", "Pack", pack.Name, after: new { pack.Name, pack.From, pack.Version, added = changes.Count(c => c.What.StartsWith("Add", StringComparison.Ordinal)), changed = changes.Count(c => c.What.StartsWith("Change", StringComparison.Ordinal)) });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new PackPreview(changes, []);
    }

    private async Task ApplyAsync(PackDocument pack, List<PackChange> changes, bool save, CancellationToken ct)
    {
        var organisationId = organisation.OrganisationId ?? throw new InvalidOperationException("Importing a pack needs an organisation.");
        var now = clock.GetUtcNow().UtcDateTime;

        // Teams first: a team the pack names and this organisation lacks is created (and, on import, saved so the rest
        // can refer to its id; the surrounding transaction still makes the whole import all or nothing).
        var teams = await db.Teams.ToListAsync(ct);
        var named = (pack.RoutingRules ?? []).Select(r => r.Team)
            .Concat((pack.ReplyTemplates ?? []).Select(t => t.Team)).Concat((pack.SlaPolicies ?? []).Select(p => p.Team))
            .Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n!.Trim()).Distinct(StringComparer.OrdinalIgnoreCase);
        foreach (var name in named.Where(n => !teams.Any(t => string.Equals(t.Name, n, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            var slug = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
            var team = new Team { OrganisationId = organisationId, Name = name, Slug = slug.Length == 0 ? "team" : slug, CreatedAt = now };
            db.Teams.Add(team);
            teams.Add(team);
            changes.Add(new PackChange("Teams", name, "Add team"));
        }

        if (save)
        {
            await db.SaveChangesAsync(ct);
        }

        Team? TeamNamed(string? name) => string.IsNullOrWhiteSpace(name) ? null : teams.First(t => string.Equals(t.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));

        var rules = await db.RoutingRules.ToListAsync(ct);
        foreach (var r in (pack.RoutingRules ?? []).OrderBy(r => r.Position))
        {
            var team = TeamNamed(r.Team)!;
            var rule = rules.FirstOrDefault(x => string.Equals(x.Name, r.Name.Trim(), StringComparison.OrdinalIgnoreCase));
            var isNew = rule is null;
            rule ??= new RoutingRule { OrganisationId = organisationId, Name = r.Name.Trim(), Position = rules.Count + 1 };
            var before = (rule.IsEnabled, rule.Keywords, rule.Pattern, rule.Kind, rule.Category, rule.Sentiment, rule.ChannelKind, rule.PlaceContains, rule.UrgentOnly, rule.TeamId, rule.SetPriority);
            (rule.IsEnabled, rule.Keywords, rule.Pattern, rule.Kind, rule.Category, rule.Sentiment, rule.ChannelKind, rule.PlaceContains, rule.UrgentOnly, rule.SetPriority) =
                (r.Enabled, r.Keywords, r.Pattern, r.Kind, r.Category, r.Sentiment, r.ChannelKind, r.PlaceContains, r.UrgentOnly, r.SetPriority);
            rule.TeamId = team.Id;
            if (isNew)
            {
                rule.UpdatedAt = now;
                db.RoutingRules.Add(rule);
                rules.Add(rule);
                changes.Add(new PackChange("Routing rules", rule.Name, $"Add, routing to {team.Name}"));
            }
            else if (before != (rule.IsEnabled, rule.Keywords, rule.Pattern, rule.Kind, rule.Category, rule.Sentiment, rule.ChannelKind, rule.PlaceContains, rule.UrgentOnly, rule.TeamId, rule.SetPriority))
            {
                rule.UpdatedAt = now;
                changes.Add(new PackChange("Routing rules", rule.Name, $"Change to the pack's version, routing to {team.Name}"));
            }
        }

        var templates = await db.ReplyTemplates.ToListAsync(ct);
        foreach (var t in pack.ReplyTemplates ?? [])
        {
            var teamId = TeamNamed(t.Team)?.Id;
            var existing = templates.FirstOrDefault(x => string.Equals(x.Name, t.Name.Trim(), StringComparison.OrdinalIgnoreCase));
            if (existing is null)
            {
                var added = new ReplyTemplate { OrganisationId = organisationId, Name = t.Name.Trim(), Body = t.Body, TeamId = teamId, CreatedAt = now, UpdatedAt = now };
                db.ReplyTemplates.Add(added);
                templates.Add(added);
                changes.Add(new PackChange("Reply templates", added.Name, "Add"));
            }
            else if (existing.Body != t.Body || existing.TeamId != teamId)
            {
                (existing.Body, existing.TeamId, existing.UpdatedAt) = (t.Body, teamId, now);
                changes.Add(new PackChange("Reply templates", existing.Name, "Change to the pack's version"));
            }
        }

        var searches = await db.ListeningSearches.ToListAsync(ct);
        foreach (var s in pack.ListeningSearches ?? [])
        {
            var existing = searches.FirstOrDefault(x => string.Equals(x.Name, s.Name.Trim(), StringComparison.OrdinalIgnoreCase));
            if (existing is null)
            {
                var added = new ListeningSearch
                {
                    OrganisationId = organisationId, Name = s.Name.Trim(), Terms = s.Terms, Match = s.Match, IsEnabled = s.Enabled, IsPublic = s.Public,
                    PrivateReason = s.PrivateReason, Purpose = s.Purpose, LegalBasis = s.LegalBasis, CreatedAt = now, UpdatedAt = now,
                };
                db.ListeningSearches.Add(added);
                searches.Add(added);
                changes.Add(new PackChange("Listening searches", added.Name, "Add"));
            }
            else if ((existing.Terms, existing.Match, existing.IsEnabled, existing.IsPublic, existing.Purpose, existing.LegalBasis) != (s.Terms, s.Match, s.Enabled, s.Public, s.Purpose, s.LegalBasis))
            {
                (existing.Terms, existing.Match, existing.IsEnabled, existing.IsPublic, existing.PrivateReason, existing.Purpose, existing.LegalBasis, existing.UpdatedAt) =
                    (s.Terms, s.Match, s.Enabled, s.Public, s.PrivateReason, s.Purpose, s.LegalBasis, now);
                changes.Add(new PackChange("Listening searches", existing.Name, "Change to the pack's version"));
            }
        }

        var policies = await db.SlaPolicies.ToListAsync(ct);
        foreach (var p in pack.SlaPolicies ?? [])
        {
            var team = TeamNamed(p.Team);
            var label = $"{team?.Name ?? "Every team"}{(p.ServiceCode is null ? "" : ", " + p.ServiceCode)}{(p.Priority is null ? "" : ", " + p.Priority)}";
            var existing = policies.FirstOrDefault(x => x.TeamId == team?.Id && x.ServiceCode == p.ServiceCode && x.Priority == p.Priority);
            if (existing is null)
            {
                var added = new SlaPolicy
                {
                    OrganisationId = organisationId, TeamId = team?.Id, ServiceCode = p.ServiceCode, Priority = p.Priority,
                    FirstResponseHours = p.FirstResponseHours, ResolutionHours = p.ResolutionHours, UpdatedAt = now,
                };
                db.SlaPolicies.Add(added);
                policies.Add(added);
                changes.Add(new PackChange("Service targets", label, $"Add: first response {p.FirstResponseHours} h, resolution {p.ResolutionHours} h"));
            }
            else if (existing.FirstResponseHours != p.FirstResponseHours || existing.ResolutionHours != p.ResolutionHours)
            {
                (existing.FirstResponseHours, existing.ResolutionHours, existing.UpdatedAt) = (p.FirstResponseHours, p.ResolutionHours, now);
                changes.Add(new PackChange("Service targets", label, $"Change to first response {p.FirstResponseHours} h, resolution {p.ResolutionHours} h"));
            }
        }

        var retention = await db.RetentionPolicies.ToListAsync(ct);
        foreach (var p in pack.RetentionPolicies ?? [])
        {
            var existing = retention.FirstOrDefault(x => x.DataClass == p.DataClass);
            var what = $"{p.PeriodDays} days, then {p.Action.ToString().ToLowerInvariant()}{(p.Enabled ? "" : " (off)")}";
            if (existing is null)
            {
                db.RetentionPolicies.Add(new RetentionPolicy { OrganisationId = organisationId, DataClass = p.DataClass, PeriodDays = p.PeriodDays, Action = p.Action, IsEnabled = p.Enabled, UpdatedAt = now });
                changes.Add(new PackChange("Retention", p.DataClass.ToString(), "Add: " + what));
            }
            else if ((existing.PeriodDays, existing.Action, existing.IsEnabled) != (p.PeriodDays, p.Action, p.Enabled))
            {
                (existing.PeriodDays, existing.Action, existing.IsEnabled, existing.UpdatedAt) = (p.PeriodDays, p.Action, p.Enabled, now);
                changes.Add(new PackChange("Retention", p.DataClass.ToString(), "Change to " + what));
            }
        }

        var faq = await db.FaqEntries.ToListAsync(ct);
        var importer = $"Pack: {pack.Name}";
        foreach (var f in pack.FaqEntries ?? [])
        {
            var question = f.Question.Trim();
            var existing = faq.FirstOrDefault(x => string.Equals(x.Question.Trim(), question, StringComparison.OrdinalIgnoreCase));
            if (existing is null)
            {
                var added = new FaqEntry
                {
                    OrganisationId = organisationId, Question = question, Answer = f.Answer.Trim(), Topic = f.Topic.Trim(), IsPublished = f.Published,
                    CreatedAt = now, UpdatedAt = now, CreatedByName = importer.Length > 200 ? importer[..200] : importer,
                };
                db.FaqEntries.Add(added);
                faq.Add(added);
                changes.Add(new PackChange("FAQ entries", question, "Add" + (f.Published ? "" : " (unpublished)")));
            }
            else if ((existing.Answer, existing.Topic, existing.IsPublished) != (f.Answer.Trim(), f.Topic.Trim(), f.Published))
            {
                (existing.Answer, existing.Topic, existing.IsPublished, existing.UpdatedAt) = (f.Answer.Trim(), f.Topic.Trim(), f.Published, now);
                changes.Add(new PackChange("FAQ entries", existing.Question, "Change to the pack's version"));
            }
        }
    }
}

public static class PacksFeature
{
    public static WebApplicationBuilder AddPacksFeature(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<PackService>();
        return builder;
    }
}
