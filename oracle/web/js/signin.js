// The sign-in page: fill the address from a browser wallet, and sign the Sign-In with Ethereum
// message with the wallet (personal_sign) or, on local chains, with a test key used here only.
import { Wallet } from "ethers";

export function setupSignIn(root) {
  const wallet = typeof window !== "undefined" ? window.ethereum : undefined;
  const useWallet = root.getElementById("use-wallet");
  if (useWallet && wallet) {
    useWallet.hidden = false;
    useWallet.addEventListener("click", async () => {
      const [account] = await wallet.request({ method: "eth_requestAccounts" });
      root.getElementById("address").value = account;
      root.getElementById("sign-in-address").submit();
    });
  }
  const form = root.getElementById("sign-in-form");
  if (!form) return;
  const message = root.getElementById("siwe-message").value;
  const signature = root.getElementById("signature");
  const box = root.getElementById("sign-with");
  box.hidden = false;
  const signWallet = root.getElementById("sign-wallet");
  if (wallet) {
    signWallet.hidden = false;
    signWallet.addEventListener("click", async () => {
      const [account] = await wallet.request({ method: "eth_requestAccounts" });
      signature.value = await wallet.request({ method: "personal_sign", params: [message, account] });
      form.submit();
    });
  }
  const testKey = root.getElementById("sign-test-key");
  if (testKey) {
    testKey.addEventListener("click", async () => {
      const input = root.getElementById("test-key");
      try {
        signature.value = await new Wallet(input.value.trim()).signMessage(message);
      } catch (error) {
        signature.value = "";
        input.setCustomValidity("not a private key: 0x and 64 hex digits");
        input.reportValidity();
        return;
      }
      input.value = "";  // the key is not kept, and is not part of the form
      form.submit();
    });
  }
}
