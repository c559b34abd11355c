using System.ComponentModel.DataAnnotations;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Features.Dashboards;

/// <summary>
/// Channel shift: import contact-centre demand, set per-contact costs, and ask "did calls about this service change
/// after we started answering it on social media?" (an interrupted time series). Managers' figures, so agents are not
/// shown them; importing and costs are for analysts and admins.
/// </summary>
[Authorize(Policy = Policies.Staff)]
[Authorize(Roles = $"{Roles.Analyst},{Roles.Admin},{Roles.TeamLead},{Roles.Comms}")]
public sealed class ChannelShiftModel(ChannelShift shift) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Service { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? Intervention { get; set; }

    public IReadOnlyList<ServiceSummary> Services { get; private set; } = [];
    public ContactCosts Costs { get; private set; } = null!;
    public ChannelShiftAnalysis? Analysis { get; private set; }
    public DemandImportResult? Imported { get; private set; }
    public bool CanImport => User.IsInRole(Roles.Analyst) || User.IsInRole(Roles.Admin);
    public bool CanSetCosts => User.IsInRole(Roles.Admin);
    public string? Notice { get; private set; }

    public sealed class CostsForm
    {
        [Range(0, 1000)] public decimal? Phone { get; set; }
        [Range(0, 1000)] public decimal? FaceToFace { get; set; }
        [Range(0, 1000)] public decimal? Web { get; set; }
        [Range(0, 1000)] public decimal? Social { get; set; }
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file, CancellationToken ct)
    {
        if (!CanImport)
        {
            return Forbid();
        }

        if (file is null || file.Length == 0)
        {
            Imported = new DemandImportResult(0, 0, [new DemandError(0, "Choose a CSV file to import.")]);
        }
        else if (file.Length > DemandCsv.MaxBytes)
        {
            Imported = new DemandImportResult(0, 0, [new DemandError(0, $"The file is larger than {DemandCsv.MaxBytes / 1024 / 1024} MB; split it by year.")]);
        }
        else
        {
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, ct);
            Imported = await shift.ImportAsync(DemandCsv.Parse(buffer.ToArray()), User.StaffId(), ct);
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCostsAsync(CostsForm costs, CancellationToken ct)
    {
        if (!CanSetCosts)
        {
            return Forbid();
        }

        if (ModelState.IsValid)
        {
            await shift.SaveCostsAsync(costs.Phone, costs.FaceToFace, costs.Web, costs.Social, ct);
            Notice = "Costs per contact saved.";
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Services = await shift.ServicesAsync(ct);
        Costs = await shift.CostsAsync(ct);
        if (!string.IsNullOrWhiteSpace(Service) && Intervention is { } date)
        {
            Analysis = await shift.AnalyseAsync(Service.Trim(), date, ct);
        }
    }

    public ChartModel ObservedChart(ChannelShiftAnalysis a) => new()
    {
        Id = "its",
        Title = $"Calls about {a.Service}: observed and counterfactual",
        Description = $"Daily calls. The model line follows the fitted trend and weekly pattern; from {a.Intervention:d MMMM yyyy} the dashed counterfactual shows what the model expects had nothing changed.",
        TimeUnit = "day", LabelHeading = "Day", ValueHeading = "Calls", Decimals = 1,
        Labels = a.Result.Points.Select(p => p.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToList(),
        Series =
        [
            new ChartSeries("Observed calls", a.Result.Points.Select(p => (double?)p.Observed).ToList()),
            new ChartSeries("Model", a.Result.Points.Select(p => (double?)p.Fitted).ToList(), SeriesStyle.Dotted),
            new ChartSeries("Counterfactual (no intervention)", a.Result.Points.Select(p => p.After ? (double?)p.Counterfactual : null).ToList(), SeriesStyle.Dashed),
        ],
    };

    public static ChartModel AlignedChart(ChannelShiftAnalysis a) => new()
    {
        Id = "aligned",
        Title = $"Calls and CivicDesk contact about {a.Service} per week",
        Description = "Calls from the contact-centre import beside inbound messages in CivicDesk whose category has the same name, by channel, per week from Monday.",
        TimeUnit = "week", LabelHeading = "Week", ValueHeading = "Contacts",
        Labels = a.Weeks.Select(w => w.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToList(),
        Series = [new ChartSeries("Calls", a.CallsPerWeek), .. a.Contact.Select(c => new ChartSeries(c.Channel, c.PerWeek))],
    };
}
