using Backprop.IO;

namespace Backprop.Cli;

/// <summary>Refuses an output path that names one of the command's own input files.</summary>
/// <remarks>NOTE: outputs are written atomically, so such a write succeeds, and replaces the input:
/// `train --data d.csv --out d.csv` swapped the training data for the model.</remarks>
internal static class OutputPaths
{
    /// <exception cref="UsageException"><paramref name="output"/> is the same file as one of <paramref name="inputs"/>.</exception>
    public static void RefuseInputs(string flag, string? output, params (string Flag, string? Path)[] inputs)
    {
        if (output is null) return;
        // Links followed on both sides, so that a link to the input is caught too.
        string target = AtomicFile.Destination(output);
        foreach (var (inputFlag, inputPath) in inputs)
            if (inputPath is not null && File.Exists(inputPath) && AtomicFile.Destination(inputPath) == target)
                throw new UsageException($"{flag}: {output} is the {inputFlag} file; writing there would replace it");
    }
}
