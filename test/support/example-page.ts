import type { Page } from 'playwright-core';

/**
 * Signs `user` in the way a person does on the example page (examples/browser-session): opened signed out, its
 * "Sign in" link, the emulator's hosted form, and back on the page until it names the user.
 */
export async function signInThroughExamplePage(page: Page, siteUrl: string, emulatorUrl: string, user: { email: string; password: string }): Promise<void> {
  await page.goto(`${siteUrl}/`);
  await page.locator('#status', { hasText: 'Signed out.' }).waitFor();
  await page.locator('#sign-in').click();
  await page.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/oauth/authorize`));
  await page.locator('#email').fill(user.email);
  await page.locator('#password').fill(user.password);
  await page.locator('button[type=submit]').click();
  await page.waitForURL(`${siteUrl}/`);
  await page.locator('#who', { hasText: user.email }).waitFor();
}
