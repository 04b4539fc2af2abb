namespace Backprop.Cli;

/// <summary>The contract's exit codes.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    /// <summary>An unexpected internal failure (a bug).</summary>
    public const int InternalError = 1;
    /// <summary>Bad usage or bad input: unknown flag, unreadable or malformed file, shape mismatch, …</summary>
    public const int BadInput = 2;
    /// <summary>Training diverged (loss became NaN or ∞).</summary>
    public const int Diverged = 3;
    /// <summary>gradcheck found a gradient that disagrees with finite differences.</summary>
    public const int GradientMismatch = 4;
}
