namespace Backprop;

/// <summary>Whether operations are being recorded for autograd on this thread.</summary>
public static class GradMode
{
    [ThreadStatic] private static bool disabled;

    /// <summary>Whether operations record the graph for Backward on this thread (false inside a NoGrad scope).</summary>
    public static bool IsEnabled => !disabled;

    /// <summary>Within <c>using (GradMode.NoGrad())</c> nothing is recorded: use it for inference and updates.</summary>
    public static NoGradScope NoGrad()
    {
        var scope = new NoGradScope(wasDisabled: disabled);
        disabled = true;
        return scope;
    }

    /// <summary>Restores the mode that held before <see cref="NoGrad"/>.</summary>
    /// <remarks>NOTE: the scope remembers the earlier mode instead of counting depth, so a copy of the struct disposed
    /// twice cannot drive a counter below zero and leave recording off on the thread for good.</remarks>
    public readonly struct NoGradScope(bool wasDisabled) : IDisposable
    {
        /// <summary>Ends the scope: recording returns to what it was before.</summary>
        public void Dispose() => disabled = wasDisabled;
    }
}
