using System.Text;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Public;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Participation;

/// <summary>Open-data downloads of a published challenge: challenge.json (everything), ideas.csv, comments.csv.</summary>
[AllowAnonymous]
[PublicOrganisation]
[EnableRateLimiting(PlatformFeature.PublicRateLimit)]
public sealed class OpenDataFileModel(CivicDeskDb db, TimeProvider clock) : PageModel
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<IActionResult> OnGetAsync(string slug, string file, CancellationToken ct)
    {
        var challenge = await db.Challenges.AsNoTracking().FirstOrDefaultAsync(c => c.Slug == slug && c.OpensAt != null, ct);
        if (challenge is null || file is not ("challenge.json" or "ideas.csv" or "comments.csv"))
        {
            return NotFound();
        }

        var data = await OpenData.BuildAsync(db, challenge, clock.GetUtcNow().UtcDateTime, ct);
        var name = $"{slug}-{file}";
        return file switch
        {
            "challenge.json" => File(JsonSerializer.SerializeToUtf8Bytes(data, Json), "application/json", name),
            "ideas.csv" => File(Encoding.UTF8.GetBytes(OpenData.IdeasCsv(data)), "text/csv; charset=utf-8", name),
            _ => File(Encoding.UTF8.GetBytes(OpenData.CommentsCsv(data)), "text/csv; charset=utf-8", name),
        };
    }
}
