using static TorchSharp.torch;

namespace SimClr.MLNet.Training.Methods;

/// <summary>
/// The exponential moving average that drives a target (momentum) network: MoCo's key encoder ("Momentum Contrast for
/// Unsupervised Visual Representation Learning", He et al., 2020, eq. 2) and BYOL's target network ("Bootstrap Your
/// Own Latent", Grill et al., 2020, section 3.1).
/// </summary>
/// <remarks>
/// Only parameters are averaged. Buffers such as BatchNorm's running statistics are left to the target network, which
/// updates them in its own forward passes, as both MoCo and BYOL do.
/// </remarks>
public static class MomentumUpdate
{
    /// <summary>
    /// target = m target + (1 - m) online for every parameter, in place and without recording a gradient.
    /// </summary>
    /// <param name="target">The momentum network; its parameters are overwritten.</param>
    /// <param name="online">The network trained by back-propagation, of the same architecture.</param>
    /// <param name="momentum">m, in [0, 1]: 1 freezes the target, 0 copies the online network. MoCo uses 0.999, BYOL starts at 0.996.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="momentum"/> is not in [0, 1].</exception>
    /// <exception cref="ArgumentException">The two networks' parameters differ in number or shape; the message names the parameter.</exception>
    public static void Apply(nn.Module target, nn.Module online, double momentum)
    {
        if (!(momentum >= 0 && momentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "The momentum must be in [0, 1].");
        var pairs = Pair(target.named_parameters(), online.named_parameters(), "parameters", nameof(online));
        using var noGrad = no_grad();
        foreach (var (to, from) in pairs)
            to.mul_(momentum).add_(from, alpha: 1 - momentum);
    }

    /// <summary>
    /// BYOL's schedule (section 3.2): tau = 1 - (1 - tau_base)(cos(pi k / K) + 1) / 2, from tau_base at step 0 up to 1
    /// at the last step, so the target moves less and less as training settles.
    /// </summary>
    /// <param name="baseMomentum">tau_base, in [0, 1]; BYOL uses 0.996.</param>
    /// <param name="step">k, the step about to be taken; clamped to [0, <paramref name="totalSteps"/>].</param>
    /// <param name="totalSteps">K, the steps of the whole run, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="baseMomentum"/> is not in [0, 1] or <paramref name="totalSteps"/> is below 1.</exception>
    public static double Cosine(double baseMomentum, long step, long totalSteps)
    {
        if (!(baseMomentum >= 0 && baseMomentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(baseMomentum), baseMomentum, "The base momentum must be in [0, 1].");
        if (totalSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "The run must have at least one step.");
        double progress = (double)Math.Clamp(step, 0, totalSteps) / totalSteps;
        return 1 - (1 - baseMomentum) * (Math.Cos(Math.PI * progress) + 1) / 2;
    }

    /// <summary>
    /// Makes a fresh target network equal to the online one (parameters and buffers) and stops its parameters from
    /// requiring gradients, since only <see cref="Apply"/> may change them.
    /// </summary>
    /// <param name="target">The momentum network, built with the online network's architecture.</param>
    /// <param name="online">The network trained by back-propagation.</param>
    /// <exception cref="ArgumentException">The two networks' parameters or buffers differ in number or shape.</exception>
    public static void CopyInto(nn.Module target, nn.Module online)
    {
        var parameters = Pair(target.named_parameters(), online.named_parameters(), "parameters", nameof(online));
        var buffers = Pair(target.named_buffers(), online.named_buffers(), "buffers", nameof(online));
        using var noGrad = no_grad();
        foreach (var (to, from) in parameters.Concat(buffers))
            to.copy_(from);
        foreach (var (to, _) in parameters)
            to.requires_grad = false;
    }

    static List<(Tensor To, Tensor From)> Pair<T>(IEnumerable<(string name, T tensor)> target, IEnumerable<(string name, T tensor)> online,
        string kind, string argument) where T : Tensor
    {
        var to = target.ToList();
        var from = online.ToList();
        if (to.Count != from.Count)
            throw new ArgumentException($"The target network has {to.Count} {kind} but the online network {from.Count}.", argument);
        for (int i = 0; i < to.Count; i++)
            if (!to[i].tensor.shape.SequenceEqual(from[i].tensor.shape))
                throw new ArgumentException(
                    $"Target '{to[i].name}' is [{string.Join(", ", to[i].tensor.shape)}] but online '{from[i].name}' is [{string.Join(", ", from[i].tensor.shape)}].",
                    argument);
        return to.Zip(from, (t, f) => ((Tensor)t.tensor, (Tensor)f.tensor)).ToList();
    }
}
