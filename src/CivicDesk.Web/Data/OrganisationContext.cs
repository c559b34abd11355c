namespace CivicDesk.Web.Data;

/// <summary>
/// Whose data this scope may see. Set from the signed-in member's claims by middleware, from the public
/// organisation for citizen pages, or explicitly by background work. Null means "nobody's": filters return nothing.
/// </summary>
public sealed class OrganisationContext
{
    public long? OrganisationId { get; private set; }

    public void Set(long organisationId)
    {
        if (OrganisationId is { } current && current != organisationId)
        {
            throw new InvalidOperationException("The organisation of a scope cannot change once set.");
        }

        OrganisationId = organisationId;
    }
}
