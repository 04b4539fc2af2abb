namespace Backprop;

/// <summary>Whether operations are being recorded for autograd on this thread.</summary>
public static class GradMode
{
    [ThreadStatic] private static int disabledDepth;

    public static bool IsEnabled => disabledDepth == 0;

    /// <summary>Within <c>using (GradMode.NoGrad())</c> nothing is recorded: use it for inference and updates.</summary>
    public static NoGradScope NoGrad()
    {
        disabledDepth++;
        return new NoGradScope();
    }

    public readonly struct NoGradScope : IDisposable
    {
        public void Dispose() => disabledDepth--;
    }
}
