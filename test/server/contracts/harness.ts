/** Shared by the contract suites: each test gets a fresh implementation, closed afterwards. */
export async function using<T extends { close(): Promise<void> }>(make: () => Promise<T>, run: (subject: T) => Promise<void>): Promise<void> {
  const subject = await make();
  try {
    await run(subject);
  } finally {
    await subject.close();
  }
}
