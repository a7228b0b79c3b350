/** True when `work` resolves, false when it rejects: for checks whose failure is an answer, not an error. */
export async function succeeds(work: Promise<unknown>): Promise<boolean> {
  try {
    await work;
    return true;
  } catch {
    return false;
  }
}
