using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Connectors;

/// <summary>
/// Network channels and their connectors: add a channel for a network, fill in the connector's fields, enable or
/// disable it, and see its health. Secret fields are write-only: the page says whether one is set, never what it is.
/// Every change is audited with setting names and non-secret values only.
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class AdminModel(
    CivicDeskDb db,
    AuditLog audit,
    ConnectorRegistry registry,
    ConnectorSecrets secrets,
    ConnectorHealthBoard board,
    ConnectorSignal signal,
    ListeningFilter listening,
    TimeProvider clock) : PageModel
{
    public IReadOnlyList<ConnectionView> Connections { get; private set; } = [];
    public IReadOnlyList<ChannelKind> Kinds => registry.Kinds.Where(k => k is not ChannelKind.WebForm and not ChannelKind.Api).OrderBy(k => k.ToString()).ToList();
    public IReadOnlyList<ErrorLink> Errors { get; private set; } = [];
    public string? Done { get; private set; }

    public sealed record FieldView(ConnectorField Field, string? Value, bool SecretSet)
    {
        public string Id(long channelId) => $"c{channelId}-{Field.Name}";
    }

    public sealed record ConnectionView(long ChannelId, ChannelKind Kind, string Name, string? Account, bool ChannelActive, bool Enabled,
        IReadOnlyList<FieldView> Fields, ConnectorHealthView Health);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(ChannelKind kind, string? name, string? account, CancellationToken ct)
    {
        if (registry.Find(kind) is null || kind is ChannelKind.WebForm or ChannelKind.Api)
        {
            ModelState.AddModelError("new-kind", "Choose a network");
        }

        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 120)
        {
            ModelState.AddModelError("new-name", "Enter a name for the channel, 120 characters or fewer");
        }

        if (account?.Trim().Length > 200)
        {
            ModelState.AddModelError("new-account", "The account must be 200 characters or fewer");
        }

        if (!ModelState.IsValid)
        {
            Errors = ErrorLink.From(ModelState, "new-name", key => key);
            await LoadAsync(ct);
            return Page();
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var channel = new Channel
        {
            OrganisationId = OrganisationId, Kind = kind, Name = name!.Trim(), Account = string.IsNullOrWhiteSpace(account) ? null : account.Trim(), CreatedAt = now,
        };
        db.Channels.Add(channel);
        await db.SaveChangesAsync(ct);
        db.ChannelConnections.Add(new ChannelConnection { OrganisationId = OrganisationId, ChannelId = channel.Id, IsEnabled = false, UpdatedAt = now });
        audit.Record("channel.created", nameof(Channel), channel.Id, after: new { kind = kind.ToString(), channel.Name, channel.Account });
        await db.SaveChangesAsync(ct);
        listening.Invalidate(OrganisationId);
        Done = $"{channel.Name} added. Fill in its settings and enable it.";
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(long channelId, bool enabled, Dictionary<string, string?>? values, CancellationToken ct)
    {
        var channel = await db.Channels.FirstOrDefaultAsync(c => c.Id == channelId, ct);
        if (channel is null || registry.Find(channel.Kind) is not { } connector)
        {
            return NotFound();
        }

        values ??= [];
        var connection = await db.ChannelConnections.FirstOrDefaultAsync(c => c.ChannelId == channelId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        if (connection is null)
        {
            connection = new ChannelConnection { OrganisationId = OrganisationId, ChannelId = channelId, UpdatedAt = now };
            db.ChannelConnections.Add(connection);
        }

        var oldSettings = ConnectorContexts.ReadSettings(connection.SettingsJson);
        var oldSecrets = secrets.Unprotect(connection.ProtectedSecrets);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var newSecrets = new Dictionary<string, string>(oldSecrets, StringComparer.Ordinal);
        var replaced = new List<string>();
        foreach (var field in connector.Fields)
        {
            var value = values.GetValueOrDefault(field.Name)?.Trim();
            if (field.Secret)
            {
                // An empty secret box keeps the stored secret: it is never sent back to the browser to be re-submitted.
                if (!string.IsNullOrEmpty(value))
                {
                    newSecrets[field.Name] = value;
                    replaced.Add(field.Name);
                }
            }
            else if (!string.IsNullOrEmpty(value))
            {
                settings[field.Name] = value;
            }

            var has = field.Secret ? newSecrets.ContainsKey(field.Name) : settings.ContainsKey(field.Name);
            if (field.Required && enabled && !has)
            {
                ModelState.AddModelError($"c{channelId}-{field.Name}", $"Enter {field.Label.ToLowerInvariant()} before enabling the connector");
            }
        }

        if (!ModelState.IsValid)
        {
            Errors = ErrorLink.From(ModelState, $"c{channelId}-enabled", key => key);
            await LoadAsync(ct);
            return Page();
        }

        var before = new { enabled = connection.IsEnabled, settings = oldSettings };
        connection.SettingsJson = ConnectorContexts.WriteSettings(settings);
        connection.ProtectedSecrets = secrets.Protect(newSecrets);
        connection.IsEnabled = enabled;
        connection.UpdatedAt = now;
        audit.Record("connector.configured", nameof(Channel), channelId, before,
            new { enabled, settings, secretsReplaced = replaced, secretsSet = newSecrets.Keys.Order(StringComparer.Ordinal).ToList() });
        await db.SaveChangesAsync(ct);
        listening.Invalidate(OrganisationId);
        signal.Ring();
        Done = $"{channel.Name} saved: the connector is {(enabled ? "enabled" : "disabled")}";
        await LoadAsync(ct);
        return Page();
    }

    private long OrganisationId => User.OrganisationId() ?? throw new InvalidOperationException("An admin page needs a signed-in organisation.");

    private async Task LoadAsync(CancellationToken ct)
    {
        var kinds = Kinds.ToList();
        var rows = await db.Channels.AsNoTracking().Where(c => kinds.Contains(c.Kind))
            .GroupJoin(db.ChannelConnections.AsNoTracking(), c => c.Id, x => x.ChannelId, (c, xs) => new { c, xs })
            .SelectMany(g => g.xs.DefaultIfEmpty(), (g, x) => new { g.c, x })
            .OrderBy(r => r.c.Kind).ThenBy(r => r.c.Name).ToListAsync(ct);
        Connections = rows.Select(r =>
        {
            var connector = registry.Find(r.c.Kind)!;
            var settings = ConnectorContexts.ReadSettings(r.x?.SettingsJson);
            // Only the names of the set secrets leave this method; no value is ever put on the page.
            var secretNames = SecretNames(r.x?.ProtectedSecrets);
            var fields = connector.Fields.Select(f => new FieldView(f, f.Secret ? null : settings.GetValueOrDefault(f.Name), f.Secret && secretNames.Contains(f.Name))).ToList();
            var health = board.Find(r.c.Id)?.View()
                ?? new ConnectorHealthView(false, false, r.x?.LastEventAt, null, 0, 0, 0, r.x?.LastError, r.x?.LastErrorAt);
            return new ConnectionView(r.c.Id, r.c.Kind, r.c.Name, r.c.Account, r.c.IsActive, r.x?.IsEnabled == true, fields, health);
        }).ToList();
    }

    private HashSet<string> SecretNames(string? protectedSecrets)
    {
        try
        {
            return secrets.Unprotect(protectedSecrets).Keys.ToHashSet(StringComparer.Ordinal);
        }
        catch (InvalidOperationException)
        {
            return [];
        }
    }

    public string When(DateTime? at) => at is { } t ? t.ToString("d MMM yyyy HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : "never";
}
