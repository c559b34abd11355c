using System.Globalization;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Mvc;

namespace CivicDesk.Web.Features.Cases;

public enum CaseSort
{
    Newest,
    Oldest,
    Priority,
    Due,
    Updated,
}

/// <summary>
/// The case list's filters and sort, bound from the query string (?status=Open&amp;service=flytipping). The same filter
/// drives the list, the CSV export and the GeoJSON export, so an export is exactly the list on screen (all pages).
/// </summary>
public sealed class CaseFilter
{
    public const int PageSize = 50;

    /// <summary>
    /// Counts stop here ("more than 1,000 cases"), as the inbox's do: counting every match of a common word cost more
    /// than the page itself (28,366 cases contain "pothole" at 3 M messages, 60 ms of the count; bench inbox).
    /// </summary>
    public const int CountCap = 1000;
    public const string Me = "me";
    public const string Nobody = "nobody";

    public List<CaseStatus> Status { get; set; } = [];
    /// <summary>All open statuses at once: the default when no status is chosen.</summary>
    public bool AllStatuses { get; set; }
    public string? Service { get; set; }
    public long? Team { get; set; }
    /// <summary>A staff id, <see cref="Me"/> or <see cref="Nobody"/>.</summary>
    public string? Assignee { get; set; }
    public Priority? Priority { get; set; }
    public bool Overdue { get; set; }
    public string? Q { get; set; }
    /// <summary>Created on or after this day (UTC).</summary>
    public DateOnly? From { get; set; }
    /// <summary>Created on or before this day (UTC).</summary>
    public DateOnly? To { get; set; }
    public CaseSort Sort { get; set; }
    /// <summary>Read from the query string only: Razor Pages keep a route value called "page".</summary>
    [FromQuery(Name = "page")]
    public int Page { get; set; } = 1;

    /// <summary>No status chosen means the open ones, unless "all statuses" is ticked.</summary>
    public IReadOnlyList<CaseStatus> Statuses => Status.Count > 0 ? Status
        : AllStatuses ? Enum.GetValues<CaseStatus>() : CaseWorkflowQueries.OpenStatuses;

    public bool IsDefault => Status.Count == 0 && !AllStatuses && string.IsNullOrEmpty(Service) && Team is null && string.IsNullOrEmpty(Assignee)
                             && Priority is null && !Overdue && string.IsNullOrWhiteSpace(Q) && From is null && To is null;

    /// <summary>The typed search, read as words (<see cref="TextQuery"/>); null when nothing was typed.</summary>
    public TextQuery? Text => TextQuery.Parse(Q);

    /// <summary>
    /// Every filter but the text search, which needs the database's full-text index (<see cref="CaseSearch"/>):
    /// <see cref="CaseList.Filtered"/> applies both.
    /// </summary>
    public IQueryable<Case> Apply(IQueryable<Case> q, DateTime now, string staffId)
    {
        var statuses = Statuses.ToList();
        q = q.Where(c => statuses.Contains(c.Status));
        if (!string.IsNullOrEmpty(Service))
        {
            q = q.Where(c => c.ServiceCode == Service);
        }

        if (Team is { } team)
        {
            q = q.Where(c => c.TeamId == team);
        }

        q = Assignee switch
        {
            null or "" => q,
            Nobody => q.Where(c => c.AssignedStaffId == null),
            Me => q.Where(c => c.AssignedStaffId == staffId),
            var id => q.Where(c => c.AssignedStaffId == id),
        };

        if (Priority is { } priority)
        {
            q = q.Where(c => c.Priority == priority);
        }

        if (Overdue)
        {
            var open = CaseWorkflowQueries.OpenStatuses.ToList();
            q = q.Where(c => c.DueAt != null && c.DueAt < now && open.Contains(c.Status));
        }

        if (From is { } from)
        {
            var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            q = q.Where(c => c.CreatedAt >= start);
        }

        if (To is { } to)
        {
            var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            q = q.Where(c => c.CreatedAt < end);
        }

        return q;
    }

    public static IQueryable<Case> Sorted(IQueryable<Case> q, CaseSort sort) => sort switch
    {
        CaseSort.Oldest => q.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id),
        CaseSort.Updated => q.OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.Id),
        // Cases with no due time go last.
        CaseSort.Due => q.OrderBy(c => c.DueAt == null).ThenBy(c => c.DueAt).ThenBy(c => c.Id),
        // Priority is stored as its name, so rank it explicitly rather than sorting the text.
        CaseSort.Priority => q.OrderByDescending(c => c.Priority == Domain.Priority.Urgent ? 3 : c.Priority == Domain.Priority.High ? 2 : c.Priority == Domain.Priority.Normal ? 1 : 0)
            .ThenBy(c => c.CreatedAt).ThenBy(c => c.Id),
        _ => q.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id),
    };

    /// <summary>
    /// The same order as <see cref="Sorted"/>, as runs read one after another, each in the order of one index: the
    /// priorities from Urgent down, each oldest first along (OrganisationId, Priority, CreatedAt, Id); the cases with a
    /// due time by (DueAt, Id), then those without by Id, along (OrganisationId, DueAt, Id). <see cref="Sorted"/> ranks
    /// priority and puts missing due times last with expressions no index holds, so SQLite looked up and sorted every
    /// match of a common word to keep fifty (70–205 ms for "pothole" at 3 M messages, bench/README.md session 14);
    /// <see cref="CaseList.PageAsync"/> reads a page of a search with many matches from these instead.
    /// </summary>
    public static IReadOnlyList<IQueryable<Case>> SortedRuns(IQueryable<Case> q, CaseSort sort) => sort switch
    {
        CaseSort.Priority => [.. PrioritiesHighestFirst.Select(p => q.Where(c => c.Priority == p).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id))],
        CaseSort.Due => [q.Where(c => c.DueAt != null).OrderBy(c => c.DueAt).ThenBy(c => c.Id), q.Where(c => c.DueAt == null).OrderBy(c => c.Id)],
        _ => [Sorted(q, sort)],
    };

    // Sorted's rank, highest first (anything else ranks with Low there; Priority has no other value).
    private static readonly Domain.Priority[] PrioritiesHighestFirst =
        [Domain.Priority.Urgent, Domain.Priority.High, Domain.Priority.Normal, Domain.Priority.Low];

    /// <summary>The query string for these filters (page 1 unless given), for links, pagination and exports.</summary>
    public string ToQueryString(int? page = null, CaseSort? sort = null)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        foreach (var s in Status)
        {
            Add("status", s.ToString());
        }

        Add("allStatuses", AllStatuses ? "true" : null);
        Add("service", Service);
        Add("team", Team?.ToString(CultureInfo.InvariantCulture));
        Add("assignee", Assignee);
        Add("priority", Priority?.ToString());
        Add("overdue", Overdue ? "true" : null);
        Add("q", string.IsNullOrWhiteSpace(Q) ? null : Q.Trim());
        Add("from", From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("to", To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var s2 = sort ?? Sort;
        Add("sort", s2 == CaseSort.Newest ? null : s2.ToString());
        var p = page ?? 1;
        Add("page", p > 1 ? p.ToString(CultureInfo.InvariantCulture) : null);
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}

/// <summary>Words and tag colours for case pages.</summary>
public static class CaseText
{
    public static string StatusTagClass(CaseStatus status) => status switch
    {
        CaseStatus.Open => "govuk-tag--blue",
        CaseStatus.Reopened => "govuk-tag--purple",
        CaseStatus.Investigating => "govuk-tag--turquoise",
        CaseStatus.InProgress => "govuk-tag--light-blue",
        CaseStatus.ActionScheduled => "govuk-tag--yellow",
        CaseStatus.Fixed => "govuk-tag--green",
        _ => "govuk-tag--grey",
    };

    public static string SortLabel(CaseSort sort) => sort switch
    {
        CaseSort.Oldest => "Oldest first",
        CaseSort.Priority => "Highest priority first",
        CaseSort.Due => "Due soonest first",
        CaseSort.Updated => "Recently updated first",
        _ => "Newest first",
    };

    public static string Source(CaseSource source) => source switch
    {
        CaseSource.WebForm => "Web form",
        CaseSource.Message => "Messages",
        CaseSource.Open311 => "Open311",
        CaseSource.Api => "API",
        _ => "Staff",
    };
}
