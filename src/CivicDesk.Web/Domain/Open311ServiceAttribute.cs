namespace CivicDesk.Web.Domain;

/// <summary>GeoReport v2 attribute datatypes (service definition <c>datatype</c>).</summary>
public enum Open311Datatype
{
    /// <summary>"string": one line.</summary>
    Line,
    Number,
    Datetime,
    /// <summary>"text": several lines.</summary>
    Text,
    SingleValueList,
    MultiValueList,
}

public static class Open311Datatypes
{
    /// <summary>The spec's name for the datatype.</summary>
    public static string Name(this Open311Datatype datatype) => datatype switch
    {
        Open311Datatype.Line => "string",
        _ => datatype.ToString().ToLowerInvariant(),
    };
}

/// <summary>One choice of a list attribute: <c>key</c> is sent back as the value, <c>name</c> is shown.</summary>
public sealed record Open311AttributeValue(string Key, string Name);

/// <summary>
/// One extra question of a service (GeoReport v2 service definition attribute), e.g. pothole depth. Clients that see
/// <c>metadata=true</c> fetch these and send the answers as <c>attribute[code]=value</c>.
/// </summary>
public sealed class Open311ServiceAttribute : IOrganisationOwned
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public required string ServiceCode { get; set; }
    public required string Code { get; set; }
    /// <summary>False: informational only, no answer expected.</summary>
    public bool Variable { get; set; } = true;
    public Open311Datatype Datatype { get; set; }
    public bool Required { get; set; }
    public string? DatatypeDescription { get; set; }
    public int Order { get; set; }
    public required string Description { get; set; }
    public List<Open311AttributeValue> Values { get; set; } = [];

    public bool IsList => Datatype is Open311Datatype.SingleValueList or Open311Datatype.MultiValueList;
}
