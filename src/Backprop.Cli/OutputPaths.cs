using Backprop.IO;

namespace Backprop.Cli;

/// <summary>Refuses an output path that names one of the command's own input files, or another of its outputs.</summary>
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

    /// <exception cref="UsageException">Two of <paramref name="outputs"/> name the same file.</exception>
    /// <remarks>NOTE: each output is written atomically, so the later one silently replaced the earlier:
    /// `train --plot m.png --out m.png` kept the model and lost the plot, with exit 0.</remarks>
    public static void RefuseEachOther(params (string Flag, string? Path)[] outputs)
    {
        for (int i = 1; i < outputs.Length; i++)
            for (int j = 0; j < i; j++)
                if (outputs[i].Path is { } path && outputs[j].Path is { } other && AtomicFile.Destination(path) == AtomicFile.Destination(other))
                    throw new UsageException($"{outputs[i].Flag}: {path} is also the {outputs[j].Flag} file; one would replace the other");
    }
}
