namespace Backprop;

/// <summary>Whether operations are being recorded for autograd, in this flow of control.</summary>
public static class GradMode
{
    // NOTE: a NoGrad scope used to hold on the thread that began it. A request handler that awaited inside one
    // (`using (GradMode.NoGrad()) { await …; model.Forward(x); }`) ended it on another thread, and left the thread
    // it began on, back in the pool, with recording off for good: later work there (a training step) found its
    // Backward "records no graph". Like an ambient transaction, the mode now flows with the async call that set it.
    private static readonly AsyncLocal<bool> disabledInFlow = new();

    // The library's own scopes (a Backward pass, an evaluation) never await: they keep a plain per-thread flag, whose
    // set costs nothing, where setting an AsyncLocal allocates.
    [ThreadStatic] private static bool disabledOnThread;

    /// <summary>Whether operations record the graph for Backward (false inside a NoGrad scope).</summary>
    public static bool IsEnabled => !disabledOnThread && !disabledInFlow.Value;

    /// <summary>Within <c>using (GradMode.NoGrad())</c> nothing is recorded: use it for inference and updates. The
    /// scope holds across awaits inside it, and in tasks and Parallel loops started inside it, as
    /// <see cref="AsyncLocal{T}"/> values do; other threads' work is not affected.</summary>
    public static NoGradScope NoGrad()
    {
        var scope = new NoGradScope(wasDisabled: disabledInFlow.Value);
        disabledInFlow.Value = true;
        return scope;
    }

    /// <summary>A NoGrad scope for synchronous code inside the library (no await may happen inside it).</summary>
    internal static ThreadScope NoGradOnThread()
    {
        var scope = new ThreadScope(disabledOnThread);
        disabledOnThread = true;
        return scope;
    }

    /// <summary>Restores the mode that held before <see cref="NoGrad"/>.</summary>
    /// <remarks>NOTE: the scope remembers the earlier mode instead of counting depth, so a copy of the struct disposed
    /// twice cannot drive a counter below zero and leave recording off for good.</remarks>
    public readonly struct NoGradScope(bool wasDisabled) : IDisposable
    {
        /// <summary>Ends the scope: recording returns to what it was before.</summary>
        public void Dispose() => disabledInFlow.Value = wasDisabled;
    }

    internal readonly struct ThreadScope(bool wasDisabled) : IDisposable
    {
        public void Dispose() => disabledOnThread = wasDisabled;
    }
}
