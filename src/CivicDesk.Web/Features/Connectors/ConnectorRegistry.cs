using CivicDesk.Web.Domain;

namespace CivicDesk.Web.Features.Connectors;

/// <summary>The registered connectors by the kind of channel they serve.</summary>
public sealed class ConnectorRegistry
{
    private readonly Dictionary<ChannelKind, ISocialConnector> _byKind;

    public ConnectorRegistry(IEnumerable<ISocialConnector> connectors)
    {
        _byKind = [];
        foreach (var c in connectors)
        {
            if (!_byKind.TryAdd(c.Kind, c))
            {
                throw new InvalidOperationException($"Two connectors are registered for {c.Kind}: {_byKind[c.Kind].GetType().Name} and {c.GetType().Name}.");
            }
        }
    }

    public IReadOnlyCollection<ChannelKind> Kinds => _byKind.Keys;

    public ISocialConnector? Find(ChannelKind kind) => _byKind.GetValueOrDefault(kind);
}
