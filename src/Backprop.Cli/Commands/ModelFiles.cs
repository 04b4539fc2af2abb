using Backprop.IO;
using Backprop.Training;

namespace Backprop.Cli.Commands;

/// <summary>`--model MODEL` for `eval` and `predict`.</summary>
internal static class ModelFiles
{
    /// <exception cref="UsageException">when there is no such file.</exception>
    /// <exception cref="ModelFormatException">when the file is not a readable Backprop model.</exception>
    public static TrainedModel Load(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"--model: {path} is a folder, not a model file");
        if (!File.Exists(path)) throw new UsageException($"--model: {path}: no such file");
        return TrainedModelFile.Load(path);
    }
}
