using CivicDesk.Web.Domain;
using CivicDesk.Web.Platform;

namespace CivicDesk.Web.Features.Public;

/// <summary>An image type we accept, recognised from the file's first bytes.</summary>
public sealed record PhotoKind(string ContentType, string Extension);

/// <summary>Recognises JPEG, PNG, WebP and HEIC/HEIF by their signatures; the file name's extension proves nothing.</summary>
public static class ImageSignatures
{
    public const int HeaderLength = 12;

    public static readonly PhotoKind Jpeg = new("image/jpeg", ".jpg");
    public static readonly PhotoKind Png = new("image/png", ".png");
    public static readonly PhotoKind WebP = new("image/webp", ".webp");
    public static readonly PhotoKind Heic = new("image/heic", ".heic");

    // ISO base media file format brands used by HEIC/HEIF stills and sequences (ISO/IEC 23008-12).
    private static readonly string[] HeifBrands = ["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"];

    public static PhotoKind? Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return Jpeg;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Png;
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return WebP;
        }

        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = System.Text.Encoding.ASCII.GetString(head[8..12]);
            if (HeifBrands.Contains(brand))
            {
                return Heic;
            }
        }

        return null;
    }
}

/// <summary>
/// Citizens' photos on disk under <c>&lt;data dir&gt;/uploads/&lt;organisation id&gt;/&lt;guid&gt;.&lt;ext&gt;</c>: outside wwwroot,
/// so never served as static files; staff open them through <c>/inbox/attachments/{id}</c>.
/// </summary>
public sealed class PhotoStore(IConfiguration configuration)
{
    public const int MaxFiles = 3;
    public const long MaxBytes = 10 * 1024 * 1024;

    private static readonly string[] AllowedExtensions = [".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif"];
    private readonly string _root = Path.Combine(DataDirectory.Resolve(configuration), "uploads");

    /// <summary>The photo's type, or the message to show the citizen when it cannot be accepted.</summary>
    public static async Task<(PhotoKind? Kind, string? Error)> CheckAsync(IFormFile file, CancellationToken ct)
    {
        if (file.Length == 0)
        {
            return (null, $"The selected file {Name(file)} is empty");
        }

        if (file.Length > MaxBytes)
        {
            return (null, $"The selected file {Name(file)} must be smaller than 10MB");
        }

        var wrongType = $"The selected file {Name(file)} must be a JPG, PNG, WebP or HEIC photo";
        if (!AllowedExtensions.Contains(Path.GetExtension(file.FileName).ToLowerInvariant()))
        {
            return (null, wrongType);
        }

        var head = new byte[ImageSignatures.HeaderLength];
        await using var stream = file.OpenReadStream();
        var read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        return ImageSignatures.Detect(head.AsSpan(0, read)) is { } kind ? (kind, null) : (null, wrongType);
    }

    public async Task<AttachmentInfo> SaveAsync(long organisationId, IFormFile file, PhotoKind kind, CancellationToken ct)
    {
        var id = Guid.NewGuid();
        var directory = Path.Combine(_root, organisationId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        var fileName = id.ToString("N") + kind.Extension;
        var path = Path.Combine(directory, fileName);
        await using (var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        {
            await file.CopyToAsync(target, ct);
        }

        return new AttachmentInfo(Name(file), kind.ContentType, file.Length,
            $"uploads/{organisationId}/{fileName}", $"/inbox/attachments/{id:N}");
    }

    /// <summary>The stored photo with this id in this organisation's folder, or null. Other organisations' folders are never searched.</summary>
    public (string Path, PhotoKind Kind)? Find(long organisationId, Guid id)
    {
        var directory = Path.Combine(_root, organisationId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var kind in new[] { ImageSignatures.Jpeg, ImageSignatures.Png, ImageSignatures.WebP, ImageSignatures.Heic })
        {
            var path = Path.Combine(directory, id.ToString("N") + kind.Extension);
            if (File.Exists(path))
            {
                return (path, kind);
            }
        }

        return null;
    }

    /// <summary>
    /// The file behind a stored path ("uploads/{organisation}/{file}", as <see cref="SaveAsync"/> returns it), or null
    /// when it is missing or outside the organisation's own folder (a tampered path never reaches another's photos).
    /// </summary>
    public string? Resolve(long organisationId, string storedPath)
    {
        var path = Path.GetFullPath(Path.Combine(_root, "..", storedPath));
        var folder = Path.Combine(_root, organisationId.ToString(System.Globalization.CultureInfo.InvariantCulture)) + Path.DirectorySeparatorChar;
        return path.StartsWith(folder, StringComparison.Ordinal) && File.Exists(path) ? path : null;
    }

    /// <summary>Removes photos saved for a submission that then failed.</summary>
    public void Delete(long organisationId, IEnumerable<AttachmentInfo> attachments)
    {
        foreach (var a in attachments)
        {
            var path = Path.GetFullPath(Path.Combine(_root, "..", a.StoredPath ?? ""));
            if (path.StartsWith(Path.Combine(_root, organisationId.ToString(System.Globalization.CultureInfo.InvariantCulture)), StringComparison.Ordinal))
            {
                File.Delete(path);
            }
        }
    }

    private static string Name(IFormFile file)
    {
        var name = Path.GetFileName(file.FileName);
        return name.Length <= 100 ? name : name[..100];
    }
}
