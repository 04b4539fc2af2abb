namespace Backprop.Cli;

/// <summary>Bad usage found after parsing (a value out of range, options that conflict): exit 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
