using System.Reflection;
using System.Runtime.CompilerServices;

namespace EdgeAgent.Control;

/// <summary>
/// Compiles the hot-path methods before the loop threads start, so the first ticks do not stall in the JIT
/// (the first call of a method costs milliseconds: a 1 ms loop would overrun, and the overruns count toward
/// the safety trip). Tiering still promotes the methods later, on a background thread.
/// </summary>
internal static class HotPath
{
    /// <summary>Compiles every method declared by <paramref name="types"/> (and their nested types).</summary>
    /// <param name="types">The types whose code runs on the loop threads.</param>
    /// <returns>How many methods were compiled.</returns>
    public static int Prepare(params Type[] types)
    {
        int count = 0;
        foreach (Type type in types)
        {
            count += PrepareType(type);
        }

        return count;
    }

    private static int PrepareType(Type type)
    {
        const BindingFlags All = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        int count = 0;
        RuntimeTypeHandle[]? instantiation = type.IsConstructedGenericType
            ? type.GetGenericArguments().Select(t => t.TypeHandle).ToArray()
            : null;
        foreach (MethodInfo method in type.GetMethods(All))
        {
            if (method.IsAbstract || method.ContainsGenericParameters || method.GetMethodBody() is null)
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
