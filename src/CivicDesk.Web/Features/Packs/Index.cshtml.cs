using System.Text;
using System.Text.Json;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Features.Packs;

/// <summary>Export this organisation's working configuration as a pack; import one with a preview, applied all or nothing.</summary>
[Authorize(Policy = Policies.Admin)]
[RequestSizeLimit(PackDocument.MaxBytes + 64 * 1024)]
public sealed class IndexModel(PackService packs, CivicDesk.Web.Data.CivicDeskDb db) : PageModel
{
    public IReadOnlyList<CivicDesk.Web.Domain.PublishedPack> Published { get; private set; } = [];
    public string? PublishError { get; private set; }

    public PackPreview? Preview { get; private set; }
    public string? Done { get; private set; }

    /// <summary>The pack being previewed, carried to the apply step unchanged.</summary>
    [BindProperty] public string? PackJson { get; set; }
    [BindProperty] public IFormFile? PackFile { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostPublishAsync(string? name, string? description, CancellationToken ct)
    {
        var (pack, error) = await packs.PublishAsync(name, description, User.DisplayNameOf(), ct);
        PublishError = error;
        Done = pack is null ? null : $"Published \"{pack.Name}\" on the public catalogue: {pack.Contents}";
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostWithdrawAsync(long id, CancellationToken ct)
    {
        if (!await packs.WithdrawAsync(id, ct))
        {
            return NotFound();
        }

        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct) =>
        Published = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.PublishedPacks.Where(p => p.WithdrawnAt == null).OrderByDescending(p => p.PublishedAt), ct);

    public async Task<IActionResult> OnGetExportAsync(string? name, CancellationToken ct)
    {
        var pack = await packs.ExportAsync(string.IsNullOrWhiteSpace(name) ? "Configuration" : name.Trim(), null, ct);
        var json = JsonSerializer.SerializeToUtf8Bytes(pack, PackService.Json);
        return File(json, "application/json", $"civicdesk-pack-{pack.ExportedAt:yyyy-MM-dd}.json");
    }

    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken ct)
    {
        if (PackFile is { Length: > 0 } file)
        {
            if (file.Length > PackDocument.MaxBytes)
            {
                Preview = new PackPreview([], ["The pack is larger than 2 MB"]);
                return Page();
            }

            using var reader = new StreamReader(file.OpenReadStream(), new UTF8Encoding(false, throwOnInvalidBytes: true));
            try
            {
                PackJson = await reader.ReadToEndAsync(ct);
            }
            catch (DecoderFallbackException)
            {
                Preview = new PackPreview([], ["The file is not UTF-8 text: export the pack again from CivicDesk"]);
                return Page();
            }
        }

        Preview = string.IsNullOrWhiteSpace(PackJson) ? new PackPreview([], ["Choose a pack file or paste a pack"]) : await packs.PreviewAsync(PackJson, ct);
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostApplyAsync(CancellationToken ct)
    {
        var result = await packs.ImportAsync(PackJson ?? "", ct);
        if (!result.CanApply)
        {
            Preview = result;
            await LoadAsync(ct);
            return Page();
        }

        await LoadAsync(ct);
        Done = $"Pack applied: {result.Changes.Count} additions and changes";
        Preview = result;
        PackJson = null;
        return Page();
    }
}
