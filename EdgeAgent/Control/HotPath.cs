using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace EdgeAgent.Control;

/// <summary>
/// Compiles the hot-path methods before the loop threads start, so the first ticks do not stall in the JIT
/// (the first call of a method costs milliseconds: a 1 ms loop would overrun, and the overruns count toward
/// the safety trip). A NativeAOT build has no JIT: everything is compiled ahead of time and this does nothing.
/// </summary>
internal static class HotPath
{
    /// <summary>Compiles every method declared by <paramref name="types"/> (and their nested types).</summary>
    /// <param name="types">The types whose code runs on the loop threads.</param>
    /// <returns>How many methods were compiled.</returns>
    public static int Prepare(params Type[] types)
    {
        if (!RuntimeFeature.IsDynamicCodeCompiled)
        {
            return 0; // NativeAOT: compiled ahead of time
        }

        int count = 0;
        foreach (Type type in types)
        {
            count += PrepareType(type);
        }

        return count;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "A JIT warm-up: a method the trimmer removed is never called, so there is nothing to compile; it changes no behaviour.")]
    private static int PrepareType(Type type)
    {
        const BindingFlags All = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        int count = 0;
        RuntimeTypeHandle[]? instantiation = type.IsConstructedGenericType
            ? type.GetGenericArguments().Select(t => t.TypeHandle).ToArray()
            : null;
        foreach (MethodInfo method in type.GetMethods(All))
        {
            // No IL to compile: abstract, open generic, P/Invoke, or implemented by the runtime.
            if (method.IsAbstract || method.ContainsGenericParameters || (method.Attributes & MethodAttributes.PinvokeImpl) != 0
                || (method.MethodImplementationFlags & (MethodImplAttributes.InternalCall | MethodImplAttributes.Runtime)) != 0)
            {
                continue;
            }

            RuntimeHelpers.PrepareMethod(method.MethodHandle, instantiation);
            count++;
        }

        foreach (Type nested in type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (!nested.ContainsGenericParameters)
            {
                count += PrepareType(nested);
            }
        }

        return count;
    }
}
