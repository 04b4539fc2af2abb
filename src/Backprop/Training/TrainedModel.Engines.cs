namespace Backprop.Training;

public sealed partial class TrainedModel
{
    // NOTE: an engine's activation buffers belong to one forward at a time. Every prediction shared the model's one
    // engine, so predictions from several threads (a web server's requests) overwrote each other's activations and
    // returned other rows' outputs. A call now borrows the model's engine when it is free, as a single thread always
    // finds it, and otherwise a spare one: as many engines as calls have ever overlapped, each kept for reuse.
    private readonly object engineLock = new();
    private readonly Stack<INetworkEngine<float>> spareEngines = new();
    private INetworkEngine<float>? engine;
    private bool engineLent;

    /// <summary>The fused dense engine for a plain dense stack, autograd for anything else: the one that training uses.</summary>
    internal INetworkEngine<float> Engine
    {
        get { lock (engineLock) return engine ??= NewEngine(); }
    }

    private INetworkEngine<float> NewEngine() => DenseNetworkEngine<float>.Supports(Network)
        ? new DenseNetworkEngine<float>(Network, EvaluationBatch)
        : new GraphNetworkEngine<float>(Network, InputShape);

    // Engines are made under the lock: each one's constructor gives the parameters their gradient buffers, once.
    private INetworkEngine<float> RentEngine()
    {
        lock (engineLock)
        {
            if (!engineLent)
            {
                engineLent = true;
                return engine ??= NewEngine();
            }
            return spareEngines.TryPop(out var spare) ? spare : NewEngine();
        }
    }

    private void ReturnEngine(INetworkEngine<float> lent)
    {
        lock (engineLock)
        {
            if (ReferenceEquals(lent, engine)) engineLent = false;
            else spareEngines.Push(lent);
        }
    }
}
