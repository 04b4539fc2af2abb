using System.Globalization;
using System.Text.Json;
using Backprop.IO;
using Backprop.Optim;
using Backprop.Training;

namespace Backprop.Cli.Training;

/// <summary>
/// One model file per finished epoch in a folder: the weights, the optimizer's state and the history so far,
/// so that `--resume` continues exactly where the run stopped.
/// </summary>
internal static class CheckpointStore
{
    private const string Prefix = "checkpoint-epoch-", Extension = ".safetensors";
    private const string EpochKey = "checkpoint_epoch", FingerprintKey = "checkpoint_settings", HistoryKey = "checkpoint_history";
    private const string OptimizerPrefix = "optimizer.";

    public static void Write(string directory, int epoch, TrainedModel model, Optimizer<float> optimizer, IReadOnlyList<EpochMetrics> history, string fingerprint)
    {
        Directory.CreateDirectory(directory);
        var saved = TrainedModelFile.ToSaved(model, new Dictionary<string, string>
        {
            [EpochKey] = epoch.ToString(CultureInfo.InvariantCulture),
            [FingerprintKey] = fingerprint,
            [HistoryKey] = JsonSerializer.Serialize(history),
        });
        var parameters = new Dictionary<string, SafeTensor>(saved.Parameters, StringComparer.Ordinal);
        foreach (var (name, values) in optimizer.ExportState()) parameters[OptimizerPrefix + name] = SafeTensor.FromFloats(values);
        ModelFile.Save(Path.Combine(directory, $"{Prefix}{epoch:D4}{Extension}"), saved with { Parameters = parameters });
    }

    /// <summary>Restores the newest readable checkpoint into <paramref name="model"/> and <paramref name="optimizer"/>;
    /// returns its epoch and history, or null when the folder holds none. Damaged files are skipped.</summary>
    public static (int Epoch, List<EpochMetrics> History)? RestoreNewest(string directory, TrainedModel model, Optimizer<float> optimizer, string fingerprint)
    {
        if (!Directory.Exists(directory)) throw new UsageException($"--resume: {directory}: no such folder");
        var files = Directory.GetFiles(directory, Prefix + "*" + Extension).OrderDescending(StringComparer.Ordinal);
        foreach (var file in files)
        {
            SavedModel saved;
            TrainedModel stored;
            try
            {
                saved = ModelFile.Load(file);
                stored = TrainedModelFile.FromSaved(saved, file);
            }
            catch (ModelFormatException)
            {
                continue; // a checkpoint cut short by a crash: fall back to the one before
            }
            if (!saved.Metadata.TryGetValue(FingerprintKey, out var storedFingerprint) || storedFingerprint != fingerprint)
                throw new UsageException($"--resume: {file} was written with different settings; resume with the same data, seed and flags");
            int epoch = int.Parse(saved.Metadata[EpochKey], CultureInfo.InvariantCulture);
            var history = JsonSerializer.Deserialize<List<EpochMetrics>>(saved.Metadata[HistoryKey]) ?? [];
            var targets = model.Network.Parameters().ToArray();
            var sources = stored.Network.Parameters().ToArray();
            if (targets.Length != sources.Length) throw new UsageException($"--resume: {file} holds a different architecture");
            for (int i = 0; i < targets.Length; i++)
            {
                if (!targets[i].Shape.SequenceEqual(sources[i].Shape)) throw new UsageException($"--resume: {file} holds a different architecture");
                sources[i].Data.CopyTo(targets[i].Data);
            }
            var state = saved.Parameters.Where(pair => pair.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                .ToDictionary(pair => pair.Key[OptimizerPrefix.Length..], pair => pair.Value.ToFloats());
            optimizer.ImportState(state);
            return (epoch, history);
        }
        return null;
    }
}
