using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Features.Public;

/// <summary>
/// A citizen's photo, for staff only. The id is a random GUID, but that is not the protection: the file is looked up
/// only in the signed-in member's own organisation's folder, so another organisation's staff get 404.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class AttachmentModel(PhotoStore photos) : PageModel
{
    public IActionResult OnGet(Guid id)
    {
        if (User.OrganisationId() is not { } org || photos.Find(org, id) is not { } found)
        {
            return NotFound();
        }

        // HEIC cannot be shown by most browsers: offer it as a download. The others are verified images, shown inline.
        Response.Headers.CacheControl = "private, no-store";
        return found.Kind == ImageSignatures.Heic
            ? PhysicalFile(found.Path, found.Kind.ContentType, id.ToString("N") + found.Kind.Extension)
            : PhysicalFile(found.Path, found.Kind.ContentType);
    }
}
