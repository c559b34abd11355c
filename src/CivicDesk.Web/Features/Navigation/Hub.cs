using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Features.Navigation;

/// <summary>A hub page: the sections of <see cref="StaffNavigation"/> this member of staff may open, one line each.</summary>
[Authorize(Policies.Staff)]
public abstract class HubModel(IReadOnlyList<StaffSection> all) : PageModel
{
    public IReadOnlyList<StaffSection> Sections { get; private set; } = [];

    public void OnGet() => Sections = StaffNavigation.For(all, User);
}

/// <summary>/comms: incidents, rumours, Q&amp;A, the newsroom, publishing and the account register.</summary>
public sealed class SpeakModel() : HubModel(StaffNavigation.Speak);

/// <summary>/settings: channels, routing, people and information governance.</summary>
public sealed class SettingsModel() : HubModel(StaffNavigation.Settings);
