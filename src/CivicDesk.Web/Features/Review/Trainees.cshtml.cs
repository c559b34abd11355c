using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Audit;
using CivicDesk.Web.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Features.Review;

/// <summary>Staff administration for trainees: name each trainee's mentor (an active colleague who is not a trainee).</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class TraineesModel(CivicDeskDb db, AuditLog audit) : PageModel
{
    public sealed record Person(string Id, string DisplayName, string? Email, string? MentorId);

    public IReadOnlyList<Person> Trainees { get; private set; } = [];
    public IReadOnlyList<Person> Mentors { get; private set; } = [];
    [TempData] public string? Notice { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostMentorAsync(string traineeId, string? mentorId, CancellationToken ct)
    {
        await LoadAsync(ct);
        var trainee = await db.Users.SingleOrDefaultAsync(u => u.Id == traineeId, ct);
        if (trainee is null || Trainees.All(t => t.Id != traineeId))
        {
            return NotFound();
        }

        mentorId = string.IsNullOrEmpty(mentorId) ? null : mentorId;
        if (mentorId is not null && Mentors.All(m => m.Id != mentorId))
        {
            ModelState.AddModelError("mentorId", "Select a colleague who is not a trainee");
            return Page();
        }

        if (trainee.MentorId != mentorId)
        {
            string? Name(string? id) => id is null ? "no mentor" : Mentors.FirstOrDefault(m => m.Id == id)?.DisplayName ?? id;
            audit.Record("staff.mentor-set", "StaffMember", trainee.Id, Name(trainee.MentorId), Name(mentorId));
            trainee.MentorId = mentorId;
            await db.SaveChangesAsync(ct);
        }

        Notice = mentorId is null ? $"{trainee.DisplayName} has no mentor named" : $"{trainee.DisplayName}'s mentor is now {Mentors.First(m => m.Id == mentorId).DisplayName}";
        return Redirect("/admin/trainees");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var traineeRole = await db.Roles.Where(r => r.Name == Roles.Trainee).Select(r => r.Id).SingleOrDefaultAsync(ct);
        var traineeIds = await db.UserRoles.Where(r => r.RoleId == traineeRole).Select(r => r.UserId).ToListAsync(ct);
        var people = await db.Users.AsNoTracking().Where(u => u.IsActive).OrderBy(u => u.DisplayName)
            .Select(u => new Person(u.Id, u.DisplayName, u.Email, u.MentorId)).ToListAsync(ct);
        Trainees = people.Where(p => traineeIds.Contains(p.Id)).ToList();
        Mentors = people.Where(p => !traineeIds.Contains(p.Id)).ToList();
    }
}
